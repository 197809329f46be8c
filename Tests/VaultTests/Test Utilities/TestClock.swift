import Messages
import ServiceKit
import Synchronization

/// Legal time the test sets: grant expiry and deposit times never depend on the machine's
/// clock or on how fast a test runs.
final class TestClock: WallClock {
    private let current: Mutex<Timestamp>

    /// 2026-03-02T09:00:00Z by default.
    init(_ start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_772_442_000_000)) {
        current = Mutex(start)
    }

    func now() -> Timestamp { current.withLock { $0 } }

    func set(_ time: Timestamp) { current.withLock { $0 = time } }

    func advance(milliseconds: Int64) { current.withLock { $0 = $0.adding(milliseconds: milliseconds) } }
}
