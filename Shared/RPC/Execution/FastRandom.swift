import Synchronization

/// Random bytes for identifiers that must be unique, not secret: request ids and W3C trace
/// and span ids. xoshiro256** seeded once from the system's generator; unlike
/// `SystemRandomNumberGenerator` (a `getrandom` system call per word) it costs no system
/// call, and a call needs three to five random words.
enum FastRandom {
    private static let state = Mutex<Xoshiro256StarStar>(Xoshiro256StarStar())

    /// `count` random 64-bit words.
    static func words(_ count: Int) -> [UInt64] {
        state.withLock { generator in (0..<count).map { _ in generator.next() } }
    }
}

/// xoshiro256** (Blackman and Vigna), seeded from the system's generator.
struct Xoshiro256StarStar: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        repeat {
            s = (system.next(), system.next(), system.next(), system.next())
        } while s == (0, 0, 0, 0)
    }

    mutating func next() -> UInt64 {
        let result = (s.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by bits: UInt64) -> UInt64 { (self << bits) | (self >> (64 - bits)) }
}

/// Lowercase hex of random words, for ids.
enum RandomID {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` random bytes as lowercase hex, never all zero (W3C forbids all-zero ids).
    static func hex(bytes: Int) -> String {
        precondition(bytes > 0 && bytes % 8 == 0, "whole words only")
        while true {
            let words = FastRandom.words(bytes / 8)
            guard words.contains(where: { $0 != 0 }) else { continue }
            return String(unsafeUninitializedCapacity: bytes * 2) { buffer in
                var index = 0
                for word in words {
                    for shift in stride(from: 60, through: 0, by: -4) {
                        buffer[index] = digits[Int((word >> UInt64(shift)) & 0xf)]
                        index += 1
                    }
                }
                return index
            }
        }
    }

    /// A random (version 4) UUID in its lowercase text form, the request id's format.
    static func uuid() -> String {
        let words = FastRandom.words(2)
        let high = (words[0] & ~0xf000) | 0x4000                               // version 4
        let low = (words[1] & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            var nibble = 0
            for word in [high, low] {
                for shift in stride(from: 60, through: 0, by: -4) {
                    if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = digits[Int((word >> UInt64(shift)) & 0xf)]
                    index += 1
                    nibble += 1
                }
            }
            return index
        }
    }
}
