/// Members of one JSON object, written as they are encoded and sorted when it closes.
struct WireJSONKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let impl: WireJSONEncoderImpl
    let frame: Int
    let depth: Int

    var codingPath: [any CodingKey] { impl.codingPath(depth: depth) }

    @inline(__always)
    private func begin(_ key: Key) throws { try impl.beginMember(frame, name: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); impl.bytes.append(contentsOf: "null".utf8) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); impl.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); WireJSONText.appendString(value, to: &impl.bytes) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); try impl.encodeFloat(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key); try impl.encodeFloat(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try impl.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let frame = impl.openNested(keyed: true) { try begin(key) }
        return KeyedEncodingContainer(WireJSONKeyedEncoding<NestedKey>(impl: impl, frame: frame, depth: depth))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let frame = impl.openNested(keyed: false) { try begin(key) }
        return WireJSONUnkeyedEncoding(impl: impl, frame: frame, depth: depth)
    }

    mutating func superEncoder() -> any Encoder { impl.refuse() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { impl.refuse() }
}
