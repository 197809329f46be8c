import Foundation
@testable import Messages
import Testing

/// ``WireJSON`` against Foundation on every message type: the same bytes out, the same
/// values in, and the fast path actually taken (a test that only ever exercised the
/// fallback would prove nothing).
@Suite("WireJSON: every message type")
struct WireJSONMessageTests {
    static let seeds: Range<UInt64> = 0..<12

    /// The OCDS export's values may hold an ``OCDSValue``, whose `Decimal` amount
    /// Foundation writes in its own number form: those go through Foundation.
    static func mayFallBack(_ type: Any.Type) -> Bool { "\(type)".hasPrefix("OCDS") }

    @Test("encoding: the bytes of JSONCoding.sharedEncoder; decoding them: the same value")
    func everyType() throws {
        var built = 0
        var unbuildable: [String] = []
        var fastDecodes = 0
        for type in MessageTypes.all {
            let outcome = check(type)
            built += outcome.built
            fastDecodes += outcome.fastDecodes
            if outcome.built == 0 { unbuildable.append("\(type)") }
        }
        // Every type can be built, so none escapes the comparison.
        #expect(unbuildable == [])
        #expect(built >= MessageTypes.all.count * Self.seeds.count * 9 / 10)
        #expect(fastDecodes >= built * 9 / 10)
    }

    private func check<T: Codable>(_ type: T.Type) -> (built: Int, fastDecodes: Int) {
        var built = 0
        var fastDecodes = 0
        let fallbackAllowed = Self.mayFallBack(T.self)
        for seed in Self.seeds {
            guard let value = ArbitraryMessage.make(type, seed: seed),
                  let expected = try? JSONCoding.sharedEncoder.encode(value) else { continue }
            built += 1
            let label = "\(T.self) seed \(seed): \(String(decoding: expected, as: UTF8.self).prefix(300))"
            let fast = WireJSON.fastEncode(value)
            #expect(fast != nil || fallbackAllowed, "fell back to Foundation: \(label)")
            if let fast { #expect(fast == Array(expected), "\(label)\n wire: \(String(decoding: fast, as: UTF8.self).prefix(300))") }
            #expect((try? WireJSON.encode(value)) == Array(expected), "\(label)")

            let decoded = expected.withUnsafeBytes { WireJSON.fastDecode(type, from: $0) }
            if let decoded {
                fastDecodes += 1
                #expect((try? JSONCoding.sharedEncoder.encode(decoded)) == expected, "decoded differently: \(label)")
            } else {
                #expect(fallbackAllowed || containsFraction(expected), "decoding fell back to Foundation: \(label)")
            }
        }
        return (built, fastDecodes)
    }

    /// A JSON number with a fraction or exponent (`JSONValue` decodes those through Foundation).
    private func containsFraction(_ json: Data) -> Bool {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: json) else { return false }
        func walk(_ value: JSONValue) -> Bool {
            switch value {
            case .number: true
            case .array(let values): values.contains(where: walk)
            case .object(let members): members.values.contains(where: walk)
            default: false
            }
        }
        return walk(value)
    }
}
