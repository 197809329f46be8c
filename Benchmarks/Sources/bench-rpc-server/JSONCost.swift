import BenchSupport
import Foundation
import Messages
import NIOCore
import NIOFoundationCompat
import RPC

/// What Foundation's JSON coders cost in our use (issue 8): the bench message decoded and
/// encoded in a tight loop on one thread, with a coder made per call (as the RPC layer did)
/// or one shared instance (as it does now), from the received `ByteBuffer` (NIOFoundationCompat
/// copies it into `Data` first) or from `Data`, with sorted keys (the wire's canonical form)
/// or without. Prints `RESULT bench=json-<variant> ns_per_op=…`; then the same decode and
/// encode through `JSONWire`, i.e. ``WireJSON`` from and into the `ByteBuffer` as the
/// server does (`RESULT bench=wire-json-decode|wire-json-encode`).
enum JSONCost {
    static func run(iterations: Int = 200_000) {
        let data = try! JSONCoding.encoder().encode(BenchMessage.sample)
        let buffer = ByteBuffer(data: data)
        let message = BenchMessage.sample
        let shared = JSONCoding.sharedDecoder
        let sharedEncoder = JSONCoding.sharedEncoder
        let unsorted = JSONCoding.encoder()
        unsorted.outputFormatting = [.withoutEscapingSlashes]
        let variants: [(String, () -> Bool)] = [
            ("decode-new-coder-bytebuffer", { (try? JSONCoding.decoder().decode(BenchMessage.self, from: buffer)) != nil }),
            ("decode-shared-coder-bytebuffer", { (try? shared.decode(BenchMessage.self, from: buffer)) != nil }),
            ("decode-shared-coder-data", { (try? shared.decode(BenchMessage.self, from: data)) != nil }),
            ("encode-new-coder-sorted", { (try? JSONCoding.encoder().encode(message))?.isEmpty == false }),
            ("encode-shared-coder-sorted", { (try? sharedEncoder.encode(message))?.isEmpty == false }),
            ("encode-shared-coder-unsorted", { (try? unsorted.encode(message))?.isEmpty == false }),
            ("encode-shared-to-bytebuffer", { (try? ByteBuffer(data: sharedEncoder.encode(message)))?.readableBytes ?? 0 > 0 }),
        ]
        let wire: [(String, () -> Bool)] = [
            ("wire-json-decode", { (try? JSONWire.decode(BenchMessage.self, from: buffer)) != nil }),
            ("wire-json-encode", { (try? JSONWire.encode(message))?.readableBytes ?? 0 > 0 }),
        ]
        for (name, operation) in variants.map({ ("json-\($0.0)", $0.1) }) + wire {
            for _ in 0..<(iterations / 10) { _ = operation() }
            let clock = ContinuousClock()
            let start = clock.now
            var failures = 0
            for _ in 0..<iterations where !operation() { failures += 1 }
            let elapsed = start.duration(to: clock.now)
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            emit("RESULT bench=\(name) ns_per_op=\(String(format: "%.0f", nanoseconds / Double(iterations))) iterations=\(iterations) errors=\(failures)")
        }
    }
}
