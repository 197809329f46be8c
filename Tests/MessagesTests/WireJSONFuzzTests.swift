import Foundation
@testable import Messages
import Testing

/// Mutated encodings of every message type: wherever the fast decoder accepts an input,
/// Foundation must accept it too and decode the same value (compared by re-encoding), and
/// `WireJSON.decode` must end as Foundation does (the same value or the same error).
@Suite("WireJSON: mutation fuzz")
struct WireJSONFuzzTests {
    /// Bytes that make or break JSON structure, numbers, escapes and UTF-8.
    static let interesting: [UInt8] = Array(#""\{}[],:0-+.eE1 nt/u"#.utf8) + [0x00, 0x09, 0x0B, 0x7F, 0x80, 0xC3, 0xE2, 0xED, 0xEF, 0xFF]

    @Test("byte flips, deletions, insertions, truncations: fast path never accepts what Foundation refuses")
    func mutations() {
        var random = SplitMix(seed: 0x7E4D_E9D1)
        var totals = Totals()
        for type in MessageTypes.all {
            totals.add(fuzz(type, random: &random))
        }
        #expect(totals.cases >= 2_000)
        // Not vacuous: many mutated inputs stay valid and go the fast way.
        #expect(totals.fastAccepted >= totals.cases / 20)
        #expect(totals.foundationAccepted >= totals.fastAccepted)
    }

    struct Totals {
        var cases = 0
        var fastAccepted = 0
        var foundationAccepted = 0
        mutating func add(_ other: Totals) {
            cases += other.cases
            fastAccepted += other.fastAccepted
            foundationAccepted += other.foundationAccepted
        }
    }

    private func fuzz<T: Codable>(_ type: T.Type, random: inout SplitMix) -> Totals {
        var totals = Totals()
        guard let value = ArbitraryMessage.make(type, seed: random.next() % 8),
              let valid = try? JSONCoding.sharedEncoder.encode(value) else { return totals }
        for _ in 0..<14 {
            var bytes = Array(valid)
            mutate(&bytes, random: &random)
            totals.cases += 1
            let foundation = Result { try JSONCoding.sharedDecoder.decode(type, from: Data(bytes)) }
            let fast = bytes.withUnsafeBytes { WireJSON.fastDecode(type, from: $0) }
            let wire = Result { try bytes.withUnsafeBytes { try WireJSON.decode(type, from: $0) } }
            let input = String(decoding: bytes, as: UTF8.self)
            if case .success = foundation { totals.foundationAccepted += 1 }
            if let fast {
                totals.fastAccepted += 1
                #expect(reencode(foundation) == reencode(.success(fast)), "fast path accepted \(T.self): \(input)")
            }
            #expect(reencode(wire) == reencode(foundation), "\(T.self): \(input)")
        }
        return totals
    }

    private func mutate(_ bytes: inout [UInt8], random: inout SplitMix) {
        let position = Int(random.next() % UInt64(bytes.count))
        switch random.next() % 5 {
        case 0: bytes[position] ^= UInt8(1 << (random.next() % 8))
        case 1: bytes.remove(at: position)
        case 2: bytes.insert(Self.interesting[Int(random.next() % UInt64(Self.interesting.count))], at: position)
        case 3: bytes[position] = Self.interesting[Int(random.next() % UInt64(Self.interesting.count))]
        default: bytes.removeLast(bytes.count - position)
        }
    }

    /// A decode's outcome as comparable text: the value's Foundation encoding or the error.
    private func reencode<T: Encodable>(_ result: Result<T, any Error>) -> String {
        switch result {
        case .success(let value): (try? JSONCoding.sharedEncoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "unencodable"
        case .failure(let error): "error: \(error)"
        }
    }
}

/// A small seeded generator, so a failure reproduces.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
