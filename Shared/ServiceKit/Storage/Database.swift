@preconcurrency import AsyncKit
public import Logging
import NIOCore
import NIOPosix
import PostgresKit
public import SQLKit
import SQLiteKit
import SQLiteNIO

/// A service's database: SQLite in one file (the embedded default) or PostgreSQL
/// (`DATABASE_URL`), behind SQLKit so one set of queries serves both (DESIGN.md §6).
///
/// SQLite has one writer at a time anyway, so it gets one connection and every statement
/// and transaction takes turns on it; PostgreSQL gets a pool.
public struct Database: Sendable {
    public let dialect: DatabaseDialect
    /// For single statements outside a transaction.
    public let sql: any SQLDatabase
    let logger: Logger
    private let runSession: @Sendable (@escaping @Sendable (any SQLDatabase) async throws -> any Sendable) async throws -> any Sendable
    private let closeConnections: @Sendable () async throws -> Void

    /// Opens SQLite at `path` (created if missing) in WAL mode.
    public static func sqlite(path: String, logger: Logger) async throws -> Database {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let raw = connection.sql(queryLogLevel: nil)
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000"] {
            try await raw.raw(SQLQueryString(pragma)).run()
        }
        let lock = AsyncLock()
        return Database(
            dialect: .sqlite,
            sql: SerializedSQLDatabase(base: raw, lock: lock),
            logger: logger,
            runSession: { body in try await lock.withLock { try await body(raw) } },
            closeConnections: { try await connection.close() })
    }

    /// Connects to PostgreSQL at `url` (`postgres://user:pass@host:port/db?tlsmode=disable`).
    public static func postgres(url: String, maxConnections: Int = 8, logger: Logger) async throws -> Database {
        let source = PostgresConnectionSource(sqlConfiguration: try SQLPostgresConfiguration(url: url))
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: max(1, maxConnections / max(1, System.coreCount)),
            requestTimeout: .seconds(30), logger: logger, on: MultiThreadedEventLoopGroup.singleton)
        let sql = pool.database(logger: logger).sql(queryLogLevel: nil)
        // Fail now, not on the first call, when the server cannot be reached (or has no
        // connection slot left) — and shut the pool down first: AsyncKit traps when a pool
        // that was never shut down is released.
        do {
            try await sql.raw("SELECT 1").run()
        } catch {
            try? await pool.shutdownAsync()
            throw error
        }
        return Database(
            dialect: .postgres, sql: sql, logger: logger,
            runSession: { body in try await sql.withSession { session in try await body(session) } },
            closeConnections: { [pool = UncheckedBox(pool)] in try await pool.value.shutdownAsync() })
    }

    /// SQLite at `<dataDirectory>/<name>.sqlite` unless `url` names PostgreSQL.
    public static func open(url: String?, dataDirectory: String, name: String, logger: Logger) async throws -> Database {
        if let url, url.hasPrefix("postgres") {
            return try await postgres(url: url, logger: logger)
        }
        if let url, url.hasPrefix("sqlite://") {
            return try await sqlite(path: String(url.dropFirst("sqlite://".count)), logger: logger)
        }
        return try await sqlite(path: dataDirectory + "/" + name + ".sqlite", logger: logger)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let dialect = self.dialect
        let result = try await runSession { session in
            // IMMEDIATE takes SQLite's write lock at the start, so two writers never deadlock
            // upgrading a read lock.
            try await session.raw(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let value = try await body(session)
                try await session.raw("COMMIT").run()
                return value
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
        return result as! T
    }

    public func close() async throws {
        try await closeConnections()
    }
}

/// Gives each statement the single SQLite connection in turn, so a statement issued outside
/// a transaction never lands inside another task's open transaction.
struct SerializedSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let lock: AsyncLock

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await lock.withLock { try await base.execute(sql: query, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let box = try await lock.withLock { UncheckedBox(try await closure(base)) }
        return box.value
    }
}

private struct UncheckedBox<T>: @unchecked Sendable { let value: T; init(_ value: T) { self.value = value } }

/// A FIFO async mutex.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
