import Foundation
public import HTTPTypes

/// Header names of the wire protocol (DESIGN.md §2).
extension HTTPField.Name {
    public static let connectTimeoutMs = HTTPField.Name("connect-timeout-ms")!
    public static let connectProtocolVersion = HTTPField.Name("connect-protocol-version")!
    public static let idempotencyKey = HTTPField.Name("idempotency-key")!
    public static let traceparent = HTTPField.Name("traceparent")!
    public static let requestID = HTTPField.Name("x-request-id")!
    public static let idempotentReplayed = HTTPField.Name("idempotent-replayed")!
}

/// What the wire needs that is not a method's own business.
public enum Wire {
    /// `application/json`, with or without parameters such as `charset=utf-8`.
    /// Compared byte by byte, ASCII case-insensitively: this runs on every call (splitting,
    /// trimming and lowercasing with Foundation cost 5 % of the server's CPU).
    public static func isJSON(_ contentType: String?) -> Bool {
        guard var contentType else { return false }
        return contentType.withUTF8 { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = bytes.startIndex
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard end - start == applicationJSON.count else { return false }
            for (offset, expected) in applicationJSON.enumerated() {
                let byte = bytes[start + offset]
                // ASCII letters: setting bit 5 lowercases them; the other bytes must match exactly.
                let folded = (byte >= 0x41 && byte <= 0x5a) ? byte | 0x20 : byte
                guard folded == expected else { return false }
            }
            return true
        }
    }

    private static let applicationJSON = Array("application/json".utf8)

    /// Parses `connect-timeout-ms`: 1–10 ASCII digits (Connect's limit).
    public static func timeout(fromHeader value: String?) -> Duration?? {
        guard let value else { return .some(nil) }
        guard (1...10).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let ms = Int64(value) else {
            return nil
        }
        return .some(.milliseconds(ms))
    }

    /// The milliseconds left until `deadline`, never below 1 (0 would mean "none").
    public static func timeoutHeader(until deadline: ContinuousClock.Instant) -> String {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let ms = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        return String(max(1, ms))
    }
}

