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
    public static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json"
    }

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

