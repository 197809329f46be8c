import Foundation
import Messages
public import RPC
public import ServiceKit
import SQLKit
import Synchronization

/// The handlers of ``TestAPI`` over a ServiceKit database.
public final class TestService: Sendable {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "test tables", statements: [
            "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, executions BIGINT NOT NULL)",
            "CREATE TABLE received (event_id TEXT PRIMARY KEY, idx BIGINT NOT NULL)",
            "CREATE TABLE emitted (event_id TEXT PRIMARY KEY)",
        ]),
    ]

    let database: Database
    let downstream: RPCClient?
    let outbox: OutboxSender?
    private let counters = Mutex(Stats(sleepsStarted: 0, sleepsFinished: 0, sleepsCancelled: 0, lastSleepBudgetMs: nil, flakyAttempts: [:], recorded: [], recordExecutions: 0))

    public init(database: Database, downstream: RPCClient?, outbox: OutboxSender?) {
        self.database = database
        self.downstream = downstream
        self.outbox = outbox
    }

    public var router: RPCRouter {
        var router = RPCRouter()
        router.register(TestAPI.echo) { request, _ in request }
        router.register(TestAPI.put) { request, _ in try await self.put(request) }
        router.register(TestAPI.get) { request, _ in try await self.get(request) }
        router.register(TestAPI.sleep) { request, context in try await self.sleep(request, context) }
        router.register(TestAPI.relay) { request, _ in
            guard let downstream = self.downstream else { throw RPCError(.failedPrecondition, "no downstream configured") }
            return try await downstream.call(TestAPI.sleep, request)
        }
        router.register(TestAPI.flakyWrite) { request, _ in try self.flaky(request) }
        router.register(TestAPI.flakyRead) { request, _ in try self.flaky(request) }
        router.register(TestAPI.record) { request, _ in try await self.record(request) }
        router.register(TestAPI.emit) { request, _ in try await self.emit(request) }
        router.register(TestAPI.stats) { _, _ in self.counters.withLock { $0 } }
        return router
    }

    func put(_ request: PutRequest) async throws -> PutResponse {
        try await database.transaction { tx in
            let row = try await tx.raw("SELECT executions FROM kv WHERE k = \(bind: request.key)").first()
            let executions = try (row?.decode(column: "executions", as: Int64.self) ?? 0) + 1
            try await tx.raw("""
                INSERT INTO kv (k, v, executions) VALUES (\(bind: request.key), \(bind: request.value), \(bind: executions))
                ON CONFLICT (k) DO UPDATE SET v = excluded.v, executions = excluded.executions
                """).run()
            return PutResponse(key: request.key, executions: Int(executions))
        }
    }

    func get(_ request: GetRequest) async throws -> GetResponse {
        let row = try await database.sql.raw("SELECT v, executions FROM kv WHERE k = \(bind: request.key)").first()
        return GetResponse(value: try row?.decode(column: "v", as: String.self), executions: Int(try row?.decode(column: "executions", as: Int64.self) ?? 0))
    }

    func sleep(_ request: SleepRequest, _ context: CallContext) async throws -> SleepResponse {
        let budget = context.deadline.map { ContinuousClock.now.duration(to: $0) }
        counters.withLock {
            $0.sleepsStarted += 1
            $0.lastSleepBudgetMs = budget.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
        }
        do {
            try await Task.sleep(for: .milliseconds(request.milliseconds))
        } catch {
            counters.withLock { $0.sleepsCancelled += 1 }
            throw error
        }
        counters.withLock { $0.sleepsFinished += 1 }
        return SleepResponse(slept: request.milliseconds)
    }

    func flaky(_ request: FlakyRequest) throws(RPCError) -> FlakyResponse {
        let attempts = counters.withLock { stats in
            stats.flakyAttempts[request.key, default: 0] += 1
            return stats.flakyAttempts[request.key]!
        }
        if attempts <= request.failures { throw RPCError(.unavailable, "flaky: attempt \(attempts)") }
        return FlakyResponse(attempts: attempts)
    }

    func record(_ request: RecordRequest) async throws -> RecordResponse {
        counters.withLock { $0.recordExecutions += 1 }
        if request.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(request.delayMilliseconds)) }
        let index = try await database.transaction { tx in
            if let existing = try await tx.raw("SELECT idx FROM received WHERE event_id = \(bind: request.eventID)").first() {
                return Int(try existing.decode(column: "idx", as: Int64.self))
            }
            let count = try await tx.raw("SELECT COUNT(*) AS n FROM received").first()?.decode(column: "n", as: Int64.self) ?? 0
            try await tx.raw("INSERT INTO received (event_id, idx) VALUES (\(bind: request.eventID), \(bind: count))").run()
            return Int(count)
        }
        counters.withLock { if !$0.recorded.contains(request.eventID) { $0.recorded.append(request.eventID) } }
        return RecordResponse(index: index)
    }

    func emit(_ request: EmitRequest) async throws -> EmitResponse {
        let ids = (0..<request.count).map { "\(request.prefix)-\($0)" }
        try await database.transaction { tx in
            for id in ids {
                try await tx.raw("INSERT INTO emitted (event_id) VALUES (\(bind: id))").run()
                try await Outbox.enqueue(RecordRequest(eventID: id, delayMilliseconds: request.delayMilliseconds), eventID: id, to: TestAPI.record, on: tx)
            }
        }
        outbox?.wake()
        return EmitResponse(eventIDs: ids)
    }

    /// Event ids stored by `Record`, from the database (survives restarts, unlike ``Stats``).
    public func storedRecords() async throws -> [String] {
        try await database.sql.raw("SELECT event_id FROM received ORDER BY idx").all().map { try $0.decode(column: "event_id", as: String.self) }
    }
}
