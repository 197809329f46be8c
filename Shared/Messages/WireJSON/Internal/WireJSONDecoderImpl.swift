import Foundation

/// The `Decoder` over a ``WireJSONDocument``: one instance per decode, moved from value to
/// value as containers decode nested values (as Foundation's `JSONDecoderImpl` is).
///
/// It errs towards giving up: wherever Foundation might decide differently (a number with a
/// fraction into an integer, a string Foundation would refuse, a type Foundation decodes
/// specially) it sets ``mustFallBack`` and throws, and the caller discards the result even
/// when user code swallowed the error with `try?`. It throws without setting the flag only
/// where Foundation throws too: a JSON value of the wrong kind, a missing key.
final class WireJSONDecoderImpl: Decoder, SingleValueDecodingContainer {
    let document: WireJSONDocument
    // Unchecked: see WireJSONEncoderImpl; the same holds here.
    @exclusivity(unchecked) var current: Int
    @exclusivity(unchecked) var path: [any CodingKey]
    private let root: WireJSONDecoderImpl?
    @exclusivity(unchecked) private var fellBack = false

    init(document: WireJSONDocument, current: Int = 0, path: [any CodingKey] = [], root: WireJSONDecoderImpl? = nil) {
        self.document = document
        self.current = current
        self.path = path
        self.root = root
    }

    var mustFallBack: Bool { (root ?? self).fellBack }
    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Marks the whole decode as Foundation's to decide and returns the error to throw.
    func fallBack() -> any Error {
        (root ?? self).fellBack = true
        return DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "left to Foundation"))
    }

    func mismatch(_ type: Any.Type, at index: Int) -> any Error {
        if document.tokens[index].kind == .null {
            return DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "null"))
        }
        return DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "wrong kind of JSON value"))
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(keyedBy: type, at: current, depth: path.count)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(at: current, depth: path.count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func keyedContainer<Key: CodingKey>(keyedBy type: Key.Type, at index: Int, depth: Int) throws -> KeyedDecodingContainer<Key> {
        guard document.tokens[index].kind == .object else { throw mismatch([String: Any].self, at: index) }
        return KeyedDecodingContainer(try WireJSONKeyedDecoding<Key>(impl: self, object: index, depth: depth))
    }

    func unkeyedContainer(at index: Int, depth: Int) throws -> any UnkeyedDecodingContainer {
        guard document.tokens[index].kind == .array else { throw mismatch([Any].self, at: index) }
        return WireJSONUnkeyedDecoding(impl: self, array: index, depth: depth)
    }

    /// A decoder of its own for `superDecoder()`, on the same document.
    func subDecoder(at index: Int, key: any CodingKey, depth: Int) -> any Decoder {
        WireJSONDecoderImpl(document: document, current: index, path: Array(path.prefix(depth)) + [key], root: root ?? self)
    }

    // MARK: Values at a token

    func decodeBool(at index: Int) throws -> Bool {
        switch document.tokens[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: index)
        }
    }

    func decodeString(at index: Int) throws -> String {
        let token = document.tokens[index]
        guard token.kind == .string else { throw mismatch(String.self, at: index) }
        guard let value = WireJSONText.string(document.slice(token), escaped: token.escapedOrFractional, nonASCII: token.nonASCIIOrNegative) else {
            throw fallBack()
        }
        return value
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, at index: Int) throws -> T {
        let token = document.tokens[index]
        guard token.kind == .number else { throw mismatch(type, at: index) }
        // Foundation also takes `1.0`, `1e2`, `2.0000000000000001` as integers; leave those to it.
        guard !token.escapedOrFractional,
              let value = WireJSONText.integer(document.slice(token), negative: token.nonASCIIOrNegative, as: type)
        else { throw fallBack() }
        return value
    }

    func decodeDouble(at index: Int) throws -> Double {
        let token = document.tokens[index]
        guard token.kind == .number else { throw mismatch(Double.self, at: index) }
        let text = document.slice(token)
        if !token.escapedOrFractional, text.count <= 15,
           let integer = WireJSONText.integer(text, negative: token.nonASCIIOrNegative, as: Int64.self) {
            return integer == 0 && token.nonASCIIOrNegative ? -0.0 : Double(integer)
        }
        // Out of range, underflow to zero and subnormals: Foundation's verdict.
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isNormal else { throw fallBack() }
        return value
    }

    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        if T.self == Date.self {
            // JSONCoding's date strategy.
            guard let timestamp = Timestamp(iso8601: try decodeString(at: index)) else { throw fallBack() }
            return timestamp.date as! T
        }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self || T.self == Float.self {
            throw fallBack()
        }
        // Elements of arrays and dictionaries arrive here generically; skip the detour
        // through `T(from:)` and a single-value container for the common scalars.
        if T.self == String.self { return unsafeBitCast(try decodeString(at: index), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try decodeInteger(Int.self, at: index), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try decodeInteger(Int64.self, at: index), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try decodeBool(at: index), to: T.self) }
        // And arrays of them without `Array.init(from:)`'s unspecialised generic loop.
        if T.self == [String].self { return unsafeBitCast(try decodeArray(at: index, decodeString), to: T.self) }
        if T.self == [Int].self { return unsafeBitCast(try decodeArray(at: index) { try decodeInteger(Int.self, at: $0) }, to: T.self) }
        if T.self == [Int64].self { return unsafeBitCast(try decodeArray(at: index) { try decodeInteger(Int64.self, at: $0) }, to: T.self) }
        let saved = current
        current = index
        if let key { path.append(key) }
        defer {
            current = saved
            if key != nil { path.removeLast() }
        }
        return try T(from: self)
    }

    private func decodeArray<Element>(at index: Int, _ element: (Int) throws -> Element) throws -> [Element] {
        let token = document.tokens[index]
        guard token.kind == .array else { throw mismatch([Element].self, at: index) }
        var elements: [Element] = []
        elements.reserveCapacity(Int(token.start))
        var position = index + 1
        while position < Int(token.end) {
            elements.append(try element(position))
            position = document.next(after: position)
        }
        return elements
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { document.tokens[current].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeBool(at: current) }
    func decode(_ type: String.Type) throws -> String { try decodeString(at: current) }
    func decode(_ type: Double.Type) throws -> Double { try decodeDouble(at: current) }
    func decode(_ type: Float.Type) throws -> Float { throw fallBack() }
    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type, at: current) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type, at: current) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type, at: current) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type, at: current) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type, at: current) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type, at: current) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type, at: current) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type, at: current) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type, at: current) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type, at: current) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, at: current, key: nil) }
}
