public import Logging
import SQLKit
import Synchronization
public import ServiceKit
public import ServiceLifecycle

/// One writer beyond one machine (DESIGN.md §8): on PostgreSQL every Records replica tries
/// to take a session-level advisory lock; the holder appends, the others serve reads and
/// proofs and try again every `retryInterval`. The lock lives on one database connection,
/// which the holder pings; when the holder dies its connection closes, PostgreSQL releases
/// the lock and a standby takes over — after reloading everything the old writer
/// committed, so its first checkpoint extends the last one signed.
///
/// A former writer that has not yet noticed it lost the lock cannot fork the log either:
/// entry indices and checkpoint sizes are primary keys, so its next commit fails.
public struct WriterElection: Service, CustomStringConvertible {
    /// The advisory lock key (any constant shared by all replicas of one record).
    public static let lockKey: Int64 = 7_317_002

    let database: Database
    let log: RecordLog
    let retryInterval: Duration
    let logger: Logger

    public init(database: Database, log: RecordLog, retryInterval: Duration = .seconds(1), logger: Logger) {
        self.database = database
        self.log = log
        self.retryInterval = retryInterval
        self.logger = logger
    }

    public var description: String { "WriterElection" }

    public func run() async throws {
        // The lock is held inside a database session, which runs in a task of the pool's
        // own: graceful shutdown and cancellation reach it through this flag.
        let stop = StopFlag()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await campaign(until: stop)
            } onCancel: {
                stop.set()
            }
        } onGracefulShutdown: {
            stop.set()
        }
        await log.becomeFollower()
    }

    private func campaign(until stop: StopFlag) async {
        while !stop.isSet {
            do {
                try await database.sql.withSession { session in
                    let acquired = try await session.raw("SELECT pg_try_advisory_lock(\(bind: Self.lockKey)) AS acquired").first()?
                        .decode(column: "acquired", as: Bool.self) ?? false
                    guard acquired else { return }
                    do {
                        try await log.becomeWriter()
                        // Hold the lock on this connection; a failed ping means it is gone.
                        while !stop.isSet {
                            try await stop.sleep(for: retryInterval)
                            try await session.raw("SELECT 1").run()
                        }
                    } catch {
                        await log.becomeFollower()
                        throw error
                    }
                    await log.becomeFollower()
                    _ = try? await session.raw("SELECT pg_advisory_unlock(\(bind: Self.lockKey))").run()
                }
            } catch {
                await log.becomeFollower()
                if !stop.isSet {
                    logger.warning("writer lock lost or not reachable", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                }
            }
            try? await stop.sleep(for: retryInterval)
        }
    }
}

/// Set once, read from any task.
final class StopFlag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }

    /// Sleeps `duration` in short steps, returning early once set.
    func sleep(for duration: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while !isSet && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
