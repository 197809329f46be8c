import Foundation
import Messages

/// Builds a value of any `Decodable` message type without a hand-written example: a
/// `Decoder` that answers every request with a value chosen by the seed and the coding path
/// (strings full of escapes and non-ASCII, extreme integers, optionals set or not, arrays of
/// 0–3 elements, dictionaries with adversarial keys). Where a type's own validation refuses
/// a value (an identifier, a timestamp, an organisation number), it tries the next candidate
/// at that path until the type accepts one.
enum ArbitraryMessage {
    static func make<T: Decodable>(_ type: T.Type, seed: UInt64) -> T? {
        let state = State(seed: seed)
        for _ in 0..<200 {
            do {
                return try Fabricator.value(type, state: state, codingPath: [])
            } catch let DecodingError.dataCorrupted(context) {
                state.next(at: JSONPath.of(context.codingPath))
            } catch let DecodingError.keyNotFound(key, context) {
                state.present.insert(JSONPath.of(context.codingPath + [key]))
            } catch {
                return nil
            }
        }
        return nil
    }

    /// Strings that exercise the writer: quotes, backslashes, every kind of control
    /// character, `/`, DEL, U+2028, non-ASCII in two normal forms, an emoji.
    static let adversarialStrings = [
        "Grünerløkka \"sitat\" \\ / \n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} \u{2028}\u{2029} 😀",
        "",
        "plain",
        "e\u{301} é \u{212A}",
    ]

    /// Dictionary keys in an order that is not Foundation's sorted order.
    static let adversarialKeys = ["b", "", "a10", "B", "a2", "é", "a", "z\"q\\", "\u{01}", "~", "a1", "e\u{301}x", "😀", "_"]

    static let stringCandidates = [
        "c-1.a_b:C", "2026-11-29T03:38:04.120Z", "923609016",
        "sha256:" + String(repeating: "0123456789abcdef", count: 4), "vref_" + String(repeating: "0a1b2c3d", count: 4),
        "https://example.org/a/b", "NOK", "2026-11-29",
    ]
    static let integerCandidates: [Int64] = [Int64.max, Int64.min, 0, -1, 1, 42, 150_000_000, 100, 3, 10_000]
    static let doubleCandidates: [Double] = [0.1, 1, -0.0, 1e21, 123.456, 1e-7, 2.5e300]

    final class State {
        let seed: UInt64
        var choices: [String: Int] = [:]
        var present: Set<String> = []

        init(seed: UInt64) { self.seed = seed }

        func next(at path: String) { choices[path, default: 0] += 1 }

        /// A number fixed by the seed and the path, so retries change only what failed.
        func roll(_ path: String) -> Int {
            var hash: UInt64 = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03
            for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash ^= hash >> 29
            return Int(truncatingIfNeeded: hash & 0x7FFF_FFFF)
        }

        func string(_ path: String) -> String {
            let choice = choices[path, default: 0]
            if choice == 0 { return adversarialStrings[roll(path) % adversarialStrings.count] }
            return stringCandidates[(choice - 1) % stringCandidates.count]
        }

        func integer(_ path: String) -> Int64 {
            integerCandidates[(roll(path) + choices[path, default: 0]) % integerCandidates.count]
        }
    }
}

/// `a.b[2]`, the same spelling whatever the key types.
enum JSONPath {
    static func of(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct Fabricator: Decoder, SingleValueDecodingContainer {
    let state: ArbitraryMessage.State
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var path: String { JSONPath.of(codingPath) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(state: state, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        Unkeyed(state: state, codingPath: codingPath, count: state.roll(path + "#count") % 4)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { state.roll(path + "#nil") % 3 == 0 && !state.present.contains(path) }
    func decode(_ type: Bool.Type) throws -> Bool { state.roll(path) % 2 == 0 }
    func decode(_ type: String.Type) throws -> String { state.string(path) }
    func decode(_ type: Double.Type) throws -> Double {
        ArbitraryMessage.doubleCandidates[(state.roll(path) + state.choices[path, default: 0]) % ArbitraryMessage.doubleCandidates.count]
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func integer<T: FixedWidthInteger>(_ type: T.Type) -> T { T(clamping: state.integer(path)) }
    func decode(_ type: Int.Type) throws -> Int { integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Fabricator.value(type, state: state, codingPath: codingPath)
    }

    static func value<T: Decodable>(_ type: T.Type, state: ArbitraryMessage.State, codingPath: [any CodingKey]) throws -> T {
        let roll = state.roll(JSONPath.of(codingPath)) + state.choices[JSONPath.of(codingPath), default: 0]
        if let cases = T.self as? any CaseIterable.Type { return pick(cases, roll) as! T }
        if T.self == Date.self { return Date(timeIntervalSince1970: Double(roll % 2_000_000_000) + 0.125) as! T }
        if T.self == Decimal.self { return Decimal(sign: roll % 2 == 0 ? .plus : .minus, exponent: -2, significand: Decimal(roll)) as! T }
        if T.self == Data.self { return Data([1, 2, UInt8(roll % 256)]) as! T }
        if T.self == URL.self { return URL(string: "https://example.org/a/\(roll)")! as! T }
        return try T(from: Fabricator(state: state, codingPath: codingPath))
    }

    private static func pick<C: CaseIterable>(_ type: C.Type, _ roll: Int) -> C {
        let all = Array(type.allCases)
        return all[roll % all.count]
    }
}

private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: ArbitraryMessage.State
    let codingPath: [any CodingKey]

    /// Dictionaries get adversarial keys; other types' keys are asked for by name.
    var allKeys: [Key] {
        guard "\(Key.self)".contains("DictionaryCodingKey") else { return [] }
        let count = state.roll(JSONPath.of(codingPath) + "#keys") % 5
        return ArbitraryMessage.adversarialKeys.shuffledPrefix(count, roll: state.roll(JSONPath.of(codingPath))).compactMap { Key(stringValue: $0) }
    }

    private func decoder(_ key: Key) -> Fabricator { Fabricator(state: state, codingPath: codingPath + [key]) }

    func contains(_ key: Key) -> Bool {
        let path = JSONPath.of(codingPath + [key])
        return state.present.contains(path) || state.roll(path + "#present") % 3 != 0
    }

    func decodeNil(forKey key: Key) throws -> Bool { decoder(key).decodeNil() }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Fabricator.value(type, state: state, codingPath: codingPath + [key])
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { Fabricator(state: state, codingPath: codingPath + [IndexKey(0)]) }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder(key) }
}

private struct Unkeyed: UnkeyedDecodingContainer {
    let state: ArbitraryMessage.State
    let codingPath: [any CodingKey]
    let count: Int?
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= count! }

    init(state: ArbitraryMessage.State, codingPath: [any CodingKey], count: Int) {
        self.state = state
        self.codingPath = codingPath
        self.count = count
    }

    private mutating func element() -> Fabricator {
        defer { currentIndex += 1 }
        return Fabricator(state: state, codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [IndexKey(currentIndex)]
        currentIndex += 1
        return try Fabricator.value(type, state: state, codingPath: path)
    }
    mutating func decode(_ type: String.Type) throws -> String { try element().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try element().decode(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try element().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try element().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { element() }
}

private extension Array where Element == String {
    func shuffledPrefix(_ count: Int, roll: Int) -> [String] {
        (0..<count).map { self[($0 * 7 + roll) % self.count] }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
