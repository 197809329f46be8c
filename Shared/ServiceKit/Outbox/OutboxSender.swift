import Foundation
public import Logging
import Messages
import Metrics
import NIOCore
public import RPC
import SQLKit
public import ServiceLifecycle

/// Delivers outbox rows, oldest first, until each is acknowledged.
///
/// Each delivery carries the event id as its idempotency key, so a row delivered but not
/// yet marked (the sender died in between) is delivered again harmlessly: the receiver
/// answers with its first result. A failing destination blocks the rows behind it — order
/// is kept — and is retried with exponential backoff; rows survive restarts in the table.
public final class OutboxSender: Service, Sendable {
    let database: Database
    let clients: [String: RPCClient]
    let batchSize: Int
    let pollInterval: Duration
    let maxBackoff: Duration
    let logger: Logger
    let wakeups: AsyncStream<Void>
    let wakeupContinuation: AsyncStream<Void>.Continuation

    /// - Parameter clients: an ``RPCClient`` per destination service name
    ///   (e.g. `tender.records.v1.RecordsService`).
    public init(database: Database, clients: [String: RPCClient], batchSize: Int = 100, pollInterval: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(30), logger: Logger) {
        self.database = database
        self.clients = clients
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.maxBackoff = maxBackoff
        self.logger = logger
        (self.wakeups, self.wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the sender to look at the table now (after a commit that enqueued rows).
    public func wake() { wakeupContinuation.yield() }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.pollInterval)
                    self.wakeupContinuation.yield()
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await _ in self.wakeups {
                        do {
                            while try await self.deliverBatch() == self.batchSize, !Task.isCancelled {}
                        } catch {
                            self.logger.warning("outbox pass failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                        }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The advisory lock (per database on PostgreSQL) that lets one replica's sender work the
    /// shared table at a time: `outbox` in ASCII.
    static let senderLockKey: Int64 = 0x6F75_7462_6F78

    /// Delivers one batch of due rows in order; returns how many were delivered.
    ///
    /// On PostgreSQL, where replicas of a service share the table, the batch runs in one
    /// transaction holding ``senderLockKey``: a replica that does not get the lock delivers
    /// nothing this round (another is at it), so rows are neither sent twice at once nor out
    /// of order. The marks commit with the batch; a sender that dies mid-batch leaves its rows
    /// undelivered, and they go again — harmlessly, under their event ids.
    @discardableResult
    public func deliverBatch() async throws -> Int {
        guard database.dialect == .postgres else { return try await deliverBatch(on: database.sql) }
        return try await database.transaction { tx in
            let locked = try await tx.raw("SELECT pg_try_advisory_xact_lock(\(bind: Self.senderLockKey)) AS locked").first()?.decode(column: "locked", as: Bool.self) ?? false
            guard locked else { return 0 }
            return try await self.deliverBatch(on: tx)
        }
    }

    private func deliverBatch(on db: any SQLDatabase) async throws -> Int {
        let now = Timestamp(Date()).millisecondsSinceEpoch
        let rows = try await db.raw("""
            SELECT seq, event_id, destination, payload, attempts, next_attempt_at FROM outbox
            WHERE delivered_at IS NULL ORDER BY seq LIMIT \(unsafeRaw: String(batchSize))
            """).all()
        Gauge(label: "outbox_backlog").record(try await Outbox.backlog(on: db))
        var delivered = 0
        for row in rows {
            let seq = try row.decode(column: "seq", as: Int64.self)
            let eventID = try row.decode(column: "event_id", as: String.self)
            let destination = try row.decode(column: "destination", as: String.self)
            let payload = try row.decode(column: "payload", as: String.self)
            let attempts = try row.decode(column: "attempts", as: Int64.self)
            // Rows go in order: while the oldest waits out its backoff, so do the rest.
            guard try row.decode(column: "next_attempt_at", as: Int64.self) <= now else { break }
            guard let method = Self.descriptor(forPath: destination), let client = clients[method.service] else {
                logger.error("outbox row for an unknown destination", metadata: ["destination": .string(destination), "event_id": .string(eventID)])
                break
            }
            let failure: RPCError?
            do {
                _ = try await client.call(method, body: ByteBuffer(string: payload), options: CallOptions(idempotencyKey: eventID))
                failure = nil
            } catch {
                failure = error
            }
            if let error = failure {
                let backoff = min(Int64(100) << min(attempts, 20), maxBackoff.components.seconds * 1000)
                try await db.raw("""
                    UPDATE outbox SET attempts = \(bind: attempts + 1), last_error = \(bind: error.code.rawValue),
                    next_attempt_at = \(bind: Timestamp(Date()).millisecondsSinceEpoch + backoff) WHERE seq = \(bind: seq)
                    """).run()
                Counter(label: "outbox_delivery_failures_total", dimensions: [("code", error.code.rawValue)]).increment()
                logger.warning("outbox delivery failed", metadata: ["event_id": .string(eventID), "code": .string(error.code.rawValue), "attempts": .stringConvertible(attempts + 1)])
                break
            }
            try await db.raw("UPDATE outbox SET delivered_at = \(bind: Timestamp(Date()).millisecondsSinceEpoch), attempts = \(bind: attempts + 1), last_error = NULL WHERE seq = \(bind: seq)").run()
            Counter(label: "outbox_delivered_total").increment()
            delivered += 1
        }
        return delivered
    }

    static func descriptor(forPath path: String) -> MethodDescriptor? {
        let parts = path.split(separator: "/")
        guard parts.count == 2 else { return nil }
        return MethodDescriptor(service: String(parts[0]), name: String(parts[1]), kind: .mutating, access: .roles([.service]))
    }

}
