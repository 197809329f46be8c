import BenchSupport
import Foundation
import Messages

/// What a trace id costs: `TraceContext.randomHex` as `Shared/RPC` has it (a copy: one
/// `getrandom` and one `String(format:)` per byte), against the proposed version (one random
/// word per 8 bytes, table-driven hex). A call makes a 16-byte trace id and an 8-byte span id
/// on the server, and the same again on our client (`TraceContext.newTrace()`).
enum TraceIDCost {
    static func current(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var out = ""
        repeat {
            out = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }.map { String(format: "%02x", $0) }.joined()
        } while out.allSatisfy { $0 == "0" }
        return out
    }

    static func proposed(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var raw = [UInt8](repeating: 0, count: bytes)
        repeat {
            var index = 0
            while index < bytes {
                var word = generator.next()
                for _ in 0..<min(8, bytes - index) {
                    raw[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
        } while raw.allSatisfy { $0 == 0 }
        return raw.hexString
    }

    static func run(seconds: Double) async {
        for (name, make) in [("current", current as @Sendable (Int) -> String), ("proposed", proposed)] {
            let result = await closedLoop(concurrency: 1, warmUp: .milliseconds(300), duration: .milliseconds(Int64(seconds * 1000))) {
                make(16).count + make(8).count == 48
            }
            emit(result.line([("bench", "trace-ids-\(name)"), ("concurrency", "1")]))
        }
    }
}
