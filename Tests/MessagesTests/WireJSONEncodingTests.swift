import Foundation
@testable import Messages
import Testing

/// What Foundation's encoder writes, byte for byte: key order, escapes, numbers, and the
/// shapes of Codable containers. Each value is checked on the fast path (where it must not
/// fall back) and through `WireJSON.encode`.
@Suite("WireJSON: encoding against Foundation")
struct WireJSONEncodingTests {
    @Test("keys sorted by their UTF-8 bytes: upper before lower case, digits by character, prefixes first, non-ASCII last")
    func sortOrder() throws {
        var keys: [String: Int] = [:]
        for (index, key) in ["b", "", "a10", "B", "a2", "é", "a", "z\"q\\", "\u{01}", "~", "a1", "aa", "A", "_", "Z", "😀", "\u{FFFF}", "\u{7F}", "a\u{0}", "e\u{301}x", "\u{212A}", "K"].enumerated() {
            keys[key] = index
        }
        try expectSame(keys, fast: true)
        #expect(try String(decoding: WireJSON.encode(["b": 1, "a10": 2, "a2": 3, "B": 4]), as: UTF8.self) == #"{"B":4,"a10":2,"a2":3,"b":1}"#)
    }

    @Test("strings: short escapes, \\u00xx in lower case, / DEL U+2028 U+2029 and non-ASCII raw")
    func escapes() throws {
        var all = ""
        for scalar in 0..<128 { all.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        all += "\u{2028}\u{2029}\u{FEFF}é e\u{301} 😀 \u{10FFFF}"
        try expectSame([all], fast: true)
        try expectSame(["": ""], fast: true)
    }

    @Test("numbers: every integer width at its limits, floats as Foundation prints them")
    func numbers() throws {
        try expectSame(Widths(), fast: true)
        try expectSame([1.0, 0.1, 1e21, 1e16, 1e15, .leastNonzeroMagnitude, -0.0, 0, 1.2345678901234568e+20, .greatestFiniteMagnitude, 1e-7, 1e-6, 100, 2.5e300, -2.5, 2.2250738585072014e-308, .pi], fast: true)
        try expectSame([Float(0.1), 1, 1e21, .greatestFiniteMagnitude, -0.0, 16777216, .leastNonzeroMagnitude], fast: true)
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(WireJSON.fastEncode([bad]) == nil)
            #expect(throws: EncodingError.self) { try WireJSON.encode([bad]) }
        }
    }

    @Test("optionals omitted or null, empty containers, enums with associated values, nested containers")
    func shapes() throws {
        try expectSame(Shapes(), fast: true)
        try expectSame(Shapes(optional: nil, explicitNull: nil, shapes: [], nested: [:], empty: Empty()), fast: true)
        try expectSame([Shapes?.none, Shapes()], fast: true)
        try expectSame([1: "a", 10: "b", 2: "c", -1: "d"], fast: true)
        try expectSame("top-level string", fast: true)
        try expectSame(42, fast: true)
        try expectSame(Optional<Int>.none, fast: true)
        try expectSame(Date(timeIntervalSince1970: 1_764_387_484.12), fast: true)
        try expectSame(Interleaved(), fast: true)
    }

    @Test("Foundation's own forms and unusual container use go to Foundation, with its bytes")
    func fallbacks() throws {
        try expectSame(Data([1, 2, 3]), fast: false)
        try expectSame(URL(string: "https://example.org/a/b?c")!, fast: false)
        try expectSame(OCDSValue(Money(ore: 150_000_050)), fast: false)
        try expectSame(Subclass(), fast: false)
        try expectSame(RepeatedKey(), fast: false)
        try expectSame(["nothing": EncodesNothing()], fast: false)
        try expectSame(TwoContainers(), fast: false)
    }

    private func expectSame<T: Encodable>(_ value: T, fast: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let foundation = try JSONCoding.sharedEncoder.encode(value)
        let text = String(decoding: foundation, as: UTF8.self)
        let fastBytes = WireJSON.fastEncode(value)
        if fast {
            #expect(fastBytes.map { String(decoding: $0, as: UTF8.self) } == text, sourceLocation: sourceLocation)
        } else {
            #expect(fastBytes == nil, "expected Foundation to encode \(text)", sourceLocation: sourceLocation)
        }
        #expect(try WireJSON.encode(value) == Array(foundation), sourceLocation: sourceLocation)
    }
}

private struct Widths: Encodable {
    var int = [Int.min, Int.max, 0, -1]
    var int8 = [Int8.min, Int8.max]
    var int16 = [Int16.min, Int16.max]
    var int32 = [Int32.min, Int32.max]
    var int64 = [Int64.min, Int64.max]
    var uint = [UInt.max, 0]
    var uint8 = [UInt8.max]
    var uint16 = [UInt16.max]
    var uint32 = [UInt32.max]
    var uint64 = [UInt64.max]
    var single: Int8 = -128
    var double: Double = -0.0
    var flag = true
}

private indirect enum Shape: Codable { case circle(radius: Int), square(Int, String), empty, nested(Shape?) }
private struct Empty: Codable {}

private struct Shapes: Encodable {
    var optional: String? = "set"
    var explicitNull: Int? = 5
    var shapes: [Shape] = [.circle(radius: 3), .square(2, "x"), .empty, .nested(.nested(nil))]
    var nested: [String: [[Int]]] = ["z": [[]], "a": [[1, 2], []]]
    var empty = Empty()

    enum CodingKeys: String, CodingKey { case zebra, optional, explicitNull, shapes, nested, empty }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(optional, forKey: .optional)
        if let explicitNull { try container.encode(explicitNull, forKey: .explicitNull) } else { try container.encodeNil(forKey: .explicitNull) }
        try container.encode(shapes, forKey: .shapes)
        try container.encode(nested, forKey: .nested)
        try container.encode(empty, forKey: .empty)
        var zebra = container.nestedUnkeyedContainer(forKey: .zebra)
        var inner = zebra.nestedContainer(keyedBy: CodingKeys.self)
        try inner.encode("b", forKey: .shapes)
        try inner.encode("a", forKey: .empty)
        try zebra.encode(1)
    }
}

/// A nested container filled after its parent wrote another member.
private struct Interleaved: Encodable {
    enum CodingKeys: String, CodingKey { case b, a, c }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var nested = container.nestedContainer(keyedBy: CodingKeys.self, forKey: .b)
        try nested.encode(1, forKey: .c)
        try nested.encode(2, forKey: .a)
        try container.encode(3, forKey: .a)
        try container.encode(4, forKey: .c)
    }
}

private class Base: Encodable {
    var base = 1
}

private final class Subclass: Base {
    var own = 2
    enum CodingKeys: String, CodingKey { case own }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(own, forKey: .own)
        try super.encode(to: container.superEncoder())
    }
}

private struct RepeatedKey: Encodable {
    enum CodingKeys: String, CodingKey { case a, b }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(1, forKey: .b)
        try container.encode(2, forKey: .a)
        try container.encode(3, forKey: .b)
    }
}

private struct EncodesNothing: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct TwoContainers: Encodable {
    enum CodingKeys: String, CodingKey { case a, b }
    func encode(to encoder: any Encoder) throws {
        var first = encoder.container(keyedBy: CodingKeys.self)
        try first.encode(1, forKey: .b)
        var second = encoder.container(keyedBy: CodingKeys.self)
        try second.encode(2, forKey: .a)
    }
}
