/// When and how often a failed call is tried again.
///
/// Only `unavailable` is retried — the one code that says the request did not take effect
/// — and only when repeating it is safe: the method is idempotent, or the call carries an
/// idempotency key. Waits grow exponentially with full jitter and never outlast the deadline.
public struct RetryPolicy: Sendable {
    /// Total tries including the first.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var multiplier: Double

    public init(maxAttempts: Int = 4, initialBackoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(2), multiplier: Double = 2) {
        precondition(maxAttempts >= 1)
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): a random duration up
    /// to the exponential bound ("full jitter").
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let bound = min(Double(initialBackoff.components.seconds) * 1e3 + Double(initialBackoff.components.attoseconds) / 1e15, 1e9)
            * pow(multiplier, Double(attempt - 1))
        let capped = min(bound, Double(maxBackoff.components.seconds) * 1e3 + Double(maxBackoff.components.attoseconds) / 1e15)
        return .microseconds(Int64(Double.random(in: 0...max(capped, 0)) * 1000))
    }
}

import Foundation
