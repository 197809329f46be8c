import Foundation
import Messages

/// W3C Trace Context (`traceparent`): the trace a call belongs to and the span of the caller.
///
/// A server continues the caller's trace (or starts one) and gives each onward call a new
/// span id under the same trace id, so log lines of every service on a request's path share
/// the `trace_id`.
public struct TraceContext: Sendable, Hashable {
    /// 32 lowercase hex digits, not all zero.
    public var traceID: String
    /// 16 lowercase hex digits, not all zero: this process's span.
    public var spanID: String
    public var sampled: Bool

    /// Parses a `traceparent` header (version 00, or a higher version read as 00); nil when
    /// malformed, as the specification says a receiver must then start a new trace.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
              parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy(Self.isLowerHex) }),
              parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
              let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        self.traceID = String(parts[1])
        self.spanID = String(parts[2])
        self.sampled = flags & 1 == 1
    }

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// A new trace with a random trace id.
    public static func newTrace() -> TraceContext {
        TraceContext(traceID: randomHex(16), spanID: randomHex(8), sampled: true)
    }

    /// The same trace, a new span (for this server's work or an onward call).
    public func childSpan() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(8), sampled: sampled)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    private static func isLowerHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }

    /// `bytes` random bytes in lowercase hex, never all zero (W3C forbids all-zero ids).
    /// This runs on every call: a byte at a time with `String(format:)` it cost 14 % of the
    /// server's CPU, and a `getrandom` system call per word several percent more.
    static func randomHex(_ bytes: Int) -> String { RandomID.hex(bytes: bytes) }
}
