/// An array's elements in order; a failed decode does not advance, as in Foundation.
struct WireJSONUnkeyedDecoding: UnkeyedDecodingContainer {
    let impl: WireJSONDecoderImpl
    let depth: Int
    let count: Int?
    private(set) var currentIndex = 0
    private var position: Int

    init(impl: WireJSONDecoderImpl, array: Int, depth: Int) {
        self.impl = impl
        self.depth = depth
        self.count = Int(impl.document.tokens[array].start)
        self.position = array + 1
    }

    var codingPath: [any CodingKey] { Array(impl.path.prefix(depth)) }
    var isAtEnd: Bool { currentIndex >= count! }

    private func element(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "unkeyed container is at end"))
        }
        return position
    }

    @inline(__always)
    private mutating func advance<T>(_ value: T) -> T {
        position = impl.document.next(after: position)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard impl.document.tokens[try element(Never.self)].kind == .null else { return false }
        return advance(true)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { advance(try impl.decodeBool(at: element(type))) }
    mutating func decode(_ type: String.Type) throws -> String { advance(try impl.decodeString(at: element(type))) }
    mutating func decode(_ type: Double.Type) throws -> Double { advance(try impl.decodeDouble(at: element(type))) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw impl.fallBack() }
    mutating func decode(_ type: Int.Type) throws -> Int { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { advance(try impl.decodeInteger(type, at: element(type))) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        advance(try impl.decodeValue(type, at: element(type), key: WireJSONIndexKey(currentIndex)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        advance(try impl.keyedContainer(keyedBy: type, at: element(type), depth: depth))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        advance(try impl.unkeyedContainer(at: element([Any].self), depth: depth))
    }

    mutating func superDecoder() throws -> any Decoder { throw impl.fallBack() }
}
