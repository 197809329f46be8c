public import Messages
public import ServiceKit
import Synchronization

/// Legal time that a test sets: no test depends on how fast the machine is or on the
/// machine's clock (deadlines, grant expiry, receipt times).
public final class SettableClock: WallClock {
    private let current: Mutex<Timestamp>

    /// 2026-03-02T09:00:00Z by default.
    public init(_ start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_772_442_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func set(_ time: Timestamp) { current.withLock { $0 = time } }

    public func advance(milliseconds: Int64) { current.withLock { $0 = $0.adding(milliseconds: milliseconds) } }
}
