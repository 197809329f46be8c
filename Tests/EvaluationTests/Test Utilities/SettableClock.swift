import Messages
import ServiceKit
import Synchronization

/// Legal time that a test sets: no test depends on how fast the machine is.
final class SettableClock: WallClock {
    private let current: Mutex<Timestamp>

    init(_ start: Timestamp) { current = Mutex(start) }

    func now() -> Timestamp { current.withLock { $0 } }

    func set(_ time: Timestamp) { current.withLock { $0 = time } }
}
