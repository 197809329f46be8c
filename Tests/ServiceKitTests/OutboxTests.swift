import Foundation
import HTTPTypes
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit
import Synchronization
import TestServiceKit
import Testing

@Suite("Transactional outbox")
struct OutboxTests {
    @Test("an event is enqueued only if its transaction commits", arguments: Backend.allCases)
    func enqueueIsTransactional(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let db = test.database
            try await db.migrateServiceKit()
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.transaction { tx in
                    try await Outbox.enqueue(RecordRequest(eventID: "e1"), eventID: "e1", to: TestAPI.record, on: tx)
                    throw Boom()
                }
            }
            #expect(try await Outbox.backlog(on: db.sql) == 0)
            try await db.transaction { tx in
                try await Outbox.enqueue(RecordRequest(eventID: "e1"), eventID: "e1", to: TestAPI.record, on: tx)
                // Enqueueing the same event again is a no-op.
                try await Outbox.enqueue(RecordRequest(eventID: "e1"), eventID: "e1", to: TestAPI.record, on: tx)
            }
            #expect(try await Outbox.backlog(on: db.sql) == 1)
        }
    }

    @Test("the sender delivers in order, retries through an outage, and each event arrives once", arguments: Backend.allCases)
    func deliveryThroughOutage(_ backend: Backend) async throws {
        try await backend.withDatabase { source in
        try await Backend.sqlite.withDatabase { target in
        try await source.database.migrateServiceKit()
        try await target.database.migrateServiceKit()
        try await target.database.migrate(component: "testservice", TestService.migrations)

        // The receiving service, in process, behind a transport that is down for a while.
        let receiver = TestService(database: target.database, downstream: nil, outbox: nil)
        let env = try TestEnvironment(name: "outbox")
        defer { env.remove() }
        let dispatcher = RPCDispatcher(
            router: receiver.router, authenticator: try await JWTAuthenticator.trusting(env.issuer),
            idempotency: SQLIdempotencyStore(database: target.database), logger: Logger(label: "test"))
        let outage = FlakyTransport(base: InProcessTransport(dispatcher: dispatcher), failures: 5)
        let client = RPCClient(transport: outage, tokenProvider: StaticTokenProvider(try await env.token(.service, subject: "sender")), retryPolicy: .none)
        let sender = OutboxSender(database: source.database, clients: [TestAPI.service: client], maxBackoff: .milliseconds(50), logger: Logger(label: "test"))

        let ids = (0..<12).map { "event-\($0)" }
        try await source.database.transaction { tx in
            for id in ids { try await Outbox.enqueue(RecordRequest(eventID: id), eventID: id, to: TestAPI.record, on: tx) }
        }
        var rounds = 0
        while try await Outbox.backlog(on: source.database.sql) > 0 {
            rounds += 1
            try #require(rounds < 500, "outbox did not drain")
            try await sender.deliverBatch()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(outage.failed == 5)
        #expect(try await receiver.storedRecords() == ids, "every event once, in order")
        // Delivering again after everything was acknowledged sends nothing.
        #expect(try await sender.deliverBatch() == 0)
        let attempts = try await source.database.sql.raw("SELECT MAX(attempts) AS m FROM outbox").first()?.decode(column: "m", as: Int64.self)
        #expect(attempts == 6, "the first event took the five failures and one success")
        }
        }
    }
}

extension OutboxTests {
    @Test("replicas sharing one PostgreSQL outbox: one sender at a time, every event sent once and in order")
    func replicasShareTheOutbox() async throws {
        try await Backend.postgres.withDatabase { source in
        try await Backend.sqlite.withDatabase { target in
        try await source.database.migrateServiceKit()
        try await target.database.migrateServiceKit()
        try await target.database.migrate(component: "testservice", TestService.migrations)
        let receiver = TestService(database: target.database, downstream: nil, outbox: nil)
        let env = try TestEnvironment(name: "outbox-replicas")
        defer { env.remove() }
        let dispatcher = RPCDispatcher(
            router: receiver.router, authenticator: try await JWTAuthenticator.trusting(env.issuer),
            idempotency: SQLIdempotencyStore(database: target.database), logger: Logger(label: "test"))
        let counting = FlakyTransport(base: InProcessTransport(dispatcher: dispatcher), failures: 0)
        let client = RPCClient(transport: counting, tokenProvider: StaticTokenProvider(try await env.token(.service, subject: "sender")), retryPolicy: .none)
        // A second replica: its own connections to the same database.
        let replica = try await Database.postgres(url: source.url, logger: Logger(label: "test"))
        let senders = [source.database, replica].map { OutboxSender(database: $0, clients: [TestAPI.service: client], batchSize: 5, logger: Logger(label: "test")) }

        let ids = (0..<40).map { "event-\($0)" }
        try await source.database.transaction { tx in
            for id in ids { try await Outbox.enqueue(RecordRequest(eventID: id), eventID: id, to: TestAPI.record, on: tx) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in senders {
                group.addTask {
                    var rounds = 0
                    while try await Outbox.backlog(on: source.database.sql) > 0 {
                        rounds += 1
                        guard rounds < 2000 else { return }
                        try await sender.deliverBatch()
                    }
                }
            }
            try await group.waitForAll()
        }
        try await replica.close()
        #expect(try await Outbox.backlog(on: source.database.sql) == 0)
        #expect(counting.sent == ids.count, "each event sent once, never by two replicas at the same time")
        #expect(try await receiver.storedRecords() == ids, "every event once, in order")
        }
        }
    }
}

/// Fails the first `failures` sends with `unavailable`, as a down service would.
final class FlakyTransport: ClientTransport {
    let base: any ClientTransport
    private let state: Mutex<Int>
    let failures: Int

    init(base: any ClientTransport, failures: Int) {
        self.base = base
        self.failures = failures
        self.state = Mutex(0)
    }

    var failed: Int { state.withLock { min($0, failures) } }
    /// Sends that went through to the receiver.
    var sent: Int { state.withLock { max(0, $0 - failures) } }

    func send(_ request: ClientRequest) async throws -> ClientResponse {
        let attempt = state.withLock { count in
            count += 1
            return count
        }
        if attempt <= failures { throw RPCError(.unavailable, "down") }
        return try await base.send(request)
    }
}
