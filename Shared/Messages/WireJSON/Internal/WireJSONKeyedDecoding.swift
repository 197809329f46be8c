import Foundation

/// An object's members, found by comparing the key's UTF-8 with the member names in place.
/// The first of duplicate names wins, as in Foundation. Where a name has escapes or non-ASCII
/// text, names are compared as Foundation compares them, as `String`s, so canonically
/// equivalent spellings match (`"\u212A"`, KELVIN SIGN, is the key `K`).
struct WireJSONKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let impl: WireJSONDecoderImpl
    let object: Int
    let depth: Int
    private let plainNames: Bool

    /// Foundation reads every member name of an object it opens; a name it would refuse
    /// (invalid UTF-8, a lone surrogate) is left to it.
    init(impl: WireJSONDecoderImpl, object: Int, depth: Int) throws {
        self.impl = impl
        self.object = object
        self.depth = depth
        self.plainNames = !impl.document.tokens[object].escapedOrFractional
        if !plainNames {
            var member = object + 1
            while member < Int(impl.document.tokens[object].end) {
                guard name(member) != nil else { throw impl.fallBack() }
                member = impl.document.next(after: member + 1)
            }
        }
    }

    var codingPath: [any CodingKey] { Array(impl.path.prefix(depth)) }

    private func name(_ member: Int) -> String? {
        let token = impl.document.tokens[member]
        return WireJSONText.string(impl.document.slice(token), escaped: token.escapedOrFractional, nonASCII: token.nonASCIIOrNegative)
    }

    var allKeys: [Key] {
        var names: [String] = []
        var member = object + 1
        while member < Int(impl.document.tokens[object].end) {
            if let name = name(member), !names.contains(name) { names.append(name) }
            member = impl.document.next(after: member + 1)
        }
        return names.compactMap { Key(stringValue: $0) }
    }

    /// The token index of the value named `key`, or nil.
    func find(_ key: Key) -> Int? {
        var wanted = key.stringValue
        let document = impl.document
        let end = Int(document.tokens[object].end)
        if plainNames {
            // A byte-equal name is the first `String`-equal one too: ASCII text equals only
            // itself. A miss is final unless the key itself is not ASCII.
            let found = wanted.withUTF8 { bytes -> Int?? in
                var member = object + 1
                while member < end {
                    let token = document.tokens[member]
                    if Int(token.end - token.start) == bytes.count,
                       bytes.count == 0 || memcmp(document.bytes.baseAddress! + Int(token.start), bytes.baseAddress!, bytes.count) == 0 {
                        return .some(member + 1)
                    }
                    member = document.next(after: member + 1)
                }
                return bytes.allSatisfy { $0 < 0x80 } ? .some(nil) : nil
            }
            if let found { return found }
        }
        var member = object + 1
        while member < end {
            if name(member) == wanted { return member + 1 }
            member = document.next(after: member + 1)
        }
        return nil
    }

    private func value(_ key: Key) throws -> Int {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key"))
        }
        return index
    }

    /// Missing or `null` is nil, as the standard library's default does with three lookups.
    @inline(__always)
    private func ifPresent<T>(_ key: Key, _ decode: (Int) throws -> T) throws -> T? {
        guard let index = find(key), impl.document.tokens[index].kind != .null else { return nil }
        return try decode(index)
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    /// A missing key is left to Foundation: its answer there is not the point of the API.
    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = find(key) else { throw impl.fallBack() }
        return impl.document.tokens[index].kind == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try impl.decodeBool(at: value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try impl.decodeString(at: value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try impl.decodeDouble(at: value(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw impl.fallBack() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try impl.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try impl.decodeInteger(type, at: value(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try impl.decodeValue(type, at: value(key), key: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try ifPresent(key) { try impl.decodeBool(at: $0) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try ifPresent(key) { try impl.decodeString(at: $0) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try ifPresent(key) { try impl.decodeDouble(at: $0) } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { throw impl.fallBack() }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try ifPresent(key) { try impl.decodeInteger(type, at: $0) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try ifPresent(key) { try impl.decodeValue(type, at: $0, key: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try impl.keyedContainer(keyedBy: type, at: value(key), depth: depth)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try impl.unkeyedContainer(at: value(key), depth: depth)
    }

    /// Foundation gives a decoder of `null` for a missing key; that case is left to it.
    func superDecoder() throws -> any Decoder {
        guard let key = Key(stringValue: "super"), let index = find(key) else { throw impl.fallBack() }
        return impl.subDecoder(at: index, key: key, depth: depth)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        guard let index = find(key) else { throw impl.fallBack() }
        return impl.subDecoder(at: index, key: key, depth: depth)
    }
}
