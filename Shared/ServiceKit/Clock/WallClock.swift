import Foundation
public import Logging
public import Messages
import Synchronization

/// The one source of legal time in a service (DESIGN.md §7): deadlines, standstill periods
/// and grant expiry are judged against `now()`, never against `Date()` directly.
public protocol WallClock: Sendable {
    func now() -> Timestamp
}

/// Production time: the system clock, in UTC.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}

/// Local and demo time: the system clock plus an offset kept in a shared file, so every
/// local service moves together when `tenderctl clock advance` moves it (the demo passes an
/// application deadline or a 10-day standstill in seconds). Each jump it observes is logged.
/// A production configuration refuses it (``ServiceSettings``).
public final class DrivenWallClock: WallClock {
    /// The file's content.
    public struct State: Codable, Sendable, Equatable {
        public var offsetMilliseconds: Int64
        public init(offsetMilliseconds: Int64) { self.offsetMilliseconds = offsetMilliseconds }
    }

    let file: String
    let logger: Logger
    /// The offset last read, to log each jump once.
    private let lastOffset = Mutex<Int64>(0)

    public init(file: String, logger: Logger) {
        self.file = file
        self.logger = logger
    }

    public func now() -> Timestamp { Timestamp(Date()).adding(milliseconds: offset()) }

    /// The current offset. The small file is read on every call: modification times are
    /// too coarse to notice two moves within one tick, and only local mode pays for it.
    public func offset() -> Int64 {
        let offset = (try? JSONDecoder().decode(State.self, from: Data(contentsOf: URL(fileURLWithPath: file))))?.offsetMilliseconds ?? 0
        let current = lastOffset.withLock { last in
            defer { last = offset }
            return last
        }
        if offset != current {
            logger.notice("driven clock moved", metadata: ["offset_ms": .stringConvertible(offset), "previous_offset_ms": .stringConvertible(current), "now": .string(Timestamp(Date()).adding(milliseconds: offset).iso8601)])
        }
        return offset
    }

    /// Moves the shared clock forward by `milliseconds` (never backwards: legal time does
    /// not run back). Returns the new offset.
    @discardableResult
    public static func advance(file: String, byMilliseconds milliseconds: Int64) throws -> Int64 {
        guard milliseconds >= 0 else { throw SettingsError("the driven clock only moves forward") }
        let current = (try? JSONDecoder().decode(State.self, from: Data(contentsOf: URL(fileURLWithPath: file))))?.offsetMilliseconds ?? 0
        let next = State(offsetMilliseconds: current + milliseconds)
        try JSONEncoder().encode(next).write(to: URL(fileURLWithPath: file), options: .atomic)
        return next.offsetMilliseconds
    }
}
