/// Elements of one JSON array, written as they are encoded.
struct WireJSONUnkeyedEncoding: UnkeyedEncodingContainer {
    let impl: WireJSONEncoderImpl
    let frame: Int
    let depth: Int
    private(set) var count = 0

    init(impl: WireJSONEncoderImpl, frame: Int, depth: Int) {
        self.impl = impl
        self.frame = frame
        self.depth = depth
    }

    var codingPath: [any CodingKey] { impl.codingPath(depth: depth) }

    @inline(__always)
    private mutating func begin() throws {
        try impl.beginElement(frame)
        count += 1
    }

    mutating func encodeNil() throws { try begin(); impl.bytes.append(contentsOf: "null".utf8) }
    mutating func encode(_ value: Bool) throws { try begin(); impl.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    mutating func encode(_ value: String) throws { try begin(); WireJSONText.appendString(value, to: &impl.bytes) }
    mutating func encode(_ value: Double) throws { try begin(); try impl.encodeFloat(value) }
    mutating func encode(_ value: Float) throws { try begin(); try impl.encodeFloat(value) }
    mutating func encode(_ value: Int) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int8) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int16) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int32) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: Int64) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt8) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt16) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt32) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode(_ value: UInt64) throws { try begin(); WireJSONText.appendInteger(value, to: &impl.bytes) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try impl.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let frame = impl.openNested(keyed: true) { try begin() }
        return KeyedEncodingContainer(WireJSONKeyedEncoding<NestedKey>(impl: impl, frame: frame, depth: depth))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let frame = impl.openNested(keyed: false) { try begin() }
        return WireJSONUnkeyedEncoding(impl: impl, frame: frame, depth: depth)
    }

    mutating func superEncoder() -> any Encoder { impl.refuse() }
}
