import Foundation
@testable import Messages
import Testing

/// The corners of JSON where Foundation's behaviour had to be found out: the fast path
/// either does exactly what Foundation does or hands the input to Foundation.
@Suite("WireJSON: edge cases against Foundation")
struct WireJSONEdgeCaseTests {
    struct Probe: Codable, Equatable {
        var a: Int
        var s: String?
        var d: Double?
        var b: Bool?
        var u: UInt8?
        var i: Int64?
        var list: [Int]?
        var map: [String: Int]?
        var when: Date?
    }

    /// Foundation decides each of these; the comment says what it does (swift-foundation on Linux).
    static let decodeCases: [String] = [
        #"{"a":1}"#, #" {"a":1} "#, "\t\n\r{\"a\":1}\n",
        #"{"a":1,"a":2}"#,  // first wins
        #"{"a":null,"a":1}"#, #"{"a":1,"a":"x"}"#, #"{"a":"x","a":1}"#,
        #"{"a":1.0}"#, #"{"a":1e2}"#, #"{"a":1E2}"#, #"{"a":-0}"#, #"{"a":-0.0}"#, #"{"a":2.0000000000000001}"#,  // accepted as integers
        #"{"a":1.5}"#, #"{"a":01}"#, #"{"a":+1}"#, #"{"a":.5}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e400}"#,  // refused
        #"{"a":9223372036854775807}"#, #"{"a":9223372036854775808}"#, #"{"a":-9223372036854775808}"#, #"{"a":-9223372036854775809}"#,
        #"{"a":1,"u":255}"#, #"{"a":1,"u":256}"#, #"{"a":1,"u":-0}"#, #"{"a":1,"u":-1}"#,
        #"{"a":1,"i":18446744073709551615}"#, #"{"a":100000000000000000000000}"#,
        #"{"a":1,"d":1}"#, #"{"a":1,"d":-0}"#, #"{"a":1,"d":0.1}"#, #"{"a":1,"d":1e308}"#, #"{"a":1,"d":1e309}"#, #"{"a":1,"d":1e-400}"#,
        #"{"a":1,"d":5e-324}"#, #"{"a":1,"d":123456789012345678901234567890}"#, #"{"a":1,"d":0.30000000000000004}"#,
        #"{"a":"1"}"#, #"{"a":true}"#, #"{"a":null}"#, #"{"a":[]}"#, #"{"a":{}}"#, #"{}"#, #"{"A":1}"#,
        #"{"a":1,"b":1}"#, #"{"a":1,"b":0}"#, #"{"a":1,"b":"true"}"#, #"{"a":1,"b":true}"#, #"{"a":1,"b":null}"#,
        #"{"a":1,"s":"\/\b\f\n\r\t\"\\"}"#, #"{"a":1,"s":"\u00e9\u00E9\u0000\u001f"}"#, #"{"a":1,"s":"\uD83D\uDE00"}"#,
        #"{"a":1,"s":"\ud800"}"#, #"{"a":1,"s":"\uDE00\uD83D"}"#, #"{"a":1,"s":"\uD83Dx"}"#, #"{"a":1,"s":"\u00"}"#, #"{"a":1,"s":"\x"}"#, #"{"a":1,"s":"\U0041"}"#,
        "{\"a\":1,\"s\":\"\t\"}", "{\"a\":1,\"s\":\"\u{7F}\"}", "{\"a\":1,\"s\":\"e\u{301}\u{2028}\"}",
        #"{"a":1,"x":"\ud800"}"#, #"{"a":1,"x":"\x"}"#, #"{"a":1,"x":01}"#, #"{"a":1,"x":1e}"#, "{\"a\":1,\"x\":\"\u{01}\"}",  // unused: Foundation lenient
        #"{"a":1,"x":nul}"#, #"{"a":1,"x":NaN}"#, #"{"a":1,"x":Infinity}"#, #"{"a":1,"x":[1,]}"#, #"{"a":1,}"#,
        #"{"\u0061":1}"#, #"{"a":1,"\u0061":2}"#, "{\"\u{212A}\":1,\"a\":1}",
        #"{"a":1}x"#, "{\"a\":1}\u{0B}", "{\"a\":1}\u{0C}", "\u{FEFF}{\"a\":1}", "{\"a\":1}\u{0}", "", " ",
        #"{"a":1,"list":[1,2,3]}"#, #"{"a":1,"list":[1,null]}"#, #"{"a":1,"list":{}}"#,
        #"{"a":1,"map":{"b":1,"a":2,"":3}}"#, #"{"a":1,"map":{"x":1,"x":2}}"#, #"{"a":1,"map":{"é":1,"e\u0301":2}}"#, #"{"a":1,"map":{"\u00e9":1}}"#,
        #"{"a":1,"when":"2026-11-29T03:38:04.120Z"}"#, #"{"a":1,"when":"2026-11-29T03:38:04+01:00"}"#, #"{"a":1,"when":"yesterday"}"#, #"{"a":1,"when":1}"#,
    ]

    @Test("decoding: the same value or the same error as Foundation", arguments: decodeCases)
    func decode(_ json: String) {
        expectSameDecoding(Probe.self, Array(json.utf8))
    }

    @Test("non-UTF-8 input: invalid bytes, UTF-16")
    func bytes() {
        let cases: [[UInt8]] = [
            Array(#"{"a":1,"s":""#.utf8) + [0xFF] + Array(#""}"#.utf8),
            Array(#"{"a":1,"s":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),
            Array(#"{"a":1,"s":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8),
            Array(#"{"a":1,"x":""#.utf8) + [0xC3] + Array(#""}"#.utf8),
            Array(#"{"a":1}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
        ]
        for bytes in cases { expectSameDecoding(Probe.self, bytes) }
    }

    @Test("nesting: deep arrays decode as Foundation decides")
    func depth() {
        for depth in [1, 100, 129, 511, 513] {
            let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            expectSameDecoding(Nested.self, Array(json.utf8))
        }
    }

    @Test("top-level scalars and JSONValue")
    func scalars() {
        expectSameDecoding(Int.self, Array("1".utf8))
        expectSameDecoding(String.self, Array(#""x""#.utf8))
        expectSameDecoding(Int?.self, Array("null".utf8))
        expectSameDecoding([Int].self, Array("[1,2]".utf8))
        for json in [#"{"x":[null,true,-5,1.5,"s",{"y":1e2}]}"#, "1", "1.0", "-0", "true", "null", #""s""#, "[]", "{}"] {
            expectSameDecoding(JSONValue.self, Array(json.utf8))
        }
    }

    @Test("the fast path decodes plain wire JSON itself")
    func fastPathTaken() throws {
        let json = #"{"a":-5,"b":false,"d":0.25,"i":-9223372036854775808,"list":[1,2],"map":{"k":1},"s":"Grünerløkka \"q\" \u00e9\n","u":255,"when":"2026-11-29T03:38:04.120Z"}"#
        let fast = try #require(Array(json.utf8).withUnsafeBytes { WireJSON.fastDecode(Probe.self, from: $0) })
        #expect(fast == (try JSONCoding.sharedDecoder.decode(Probe.self, from: Data(json.utf8))))
    }

    private func expectSameDecoding<T: Codable>(_ type: T.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let foundation = Result { try JSONCoding.sharedDecoder.decode(type, from: Data(bytes)) }
        let wire = Result { try bytes.withUnsafeBytes { try WireJSON.decode(type, from: $0) } }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(outcome(wire) == outcome(foundation), "\(text)", sourceLocation: sourceLocation)
        if let fast = bytes.withUnsafeBytes({ WireJSON.fastDecode(type, from: $0) }) {
            #expect(outcome(.success(fast)) == outcome(foundation), "fast path: \(text)", sourceLocation: sourceLocation)
        }
    }

    private func outcome<T: Encodable>(_ result: Result<T, any Error>) -> String {
        switch result {
        case .success(let value): (try? JSONCoding.sharedEncoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "unencodable"
        case .failure(let error): "error: \(error)"
        }
    }
}

/// Arrays of arrays, for nesting depth.
struct Nested: Codable {
    var children: [Nested]
    init(from decoder: any Decoder) throws { children = try decoder.singleValueContainer().decode([Nested].self) }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(children)
    }
}
