import Foundation

/// An object's members, found by comparing the key's UTF-8 with the member names in place
/// (the scanner admits only plain ASCII names). The first of duplicate names wins, as in
/// Foundation.
struct WireJSONKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let impl: WireJSONDecoderImpl
    let object: Int
    let depth: Int

    var codingPath: [any CodingKey] { Array(impl.path.prefix(depth)) }

    var allKeys: [Key] {
        var names: [String] = []
        var member = object + 1
        let end = Int(impl.document.tokens[object].end)
        while member < end {
            let name = String(decoding: impl.document.slice(impl.document.tokens[member]), as: UTF8.self)
            if !names.contains(name) { names.append(name) }
            member = impl.document.next(after: member + 1)
        }
        return names.compactMap { Key(stringValue: $0) }
    }

    /// The token index of the value named `key`, or nil.
    func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { wanted -> Int? in
            let document = impl.document
            var member = object + 1
            let end = Int(document.tokens[object].end)
            while member < end {
                let token = document.tokens[member]
                if Int(token.end - token.start) == wanted.count,
                   wanted.count == 0 || memcmp(document.bytes.baseAddress! + Int(token.start), wanted.baseAddress!, wanted.count) == 0 {
                    return member + 1
                }
                member = document.next(after: member + 1)
            }
            return nil
        }
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
    func decodeNil(forKey key: Key) throws -> Bool { impl.document.tokens[try value(key)].kind == .null }

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
