import Foundation
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Synchronization
import Testing

@Suite("Storage on SQLite and PostgreSQL")
struct StorageTests {
    static let migrations = [
        Migration(version: 1, name: "items", statements: ["CREATE TABLE items (id TEXT PRIMARY KEY, amount BIGINT NOT NULL)"]),
        Migration(version: 2, name: "items note") { db, _ in
            try await db.raw("ALTER TABLE items ADD COLUMN note TEXT").run()
        },
    ]

    @Test("migrations run once, in order, and are recorded", arguments: Backend.allCases)
    func migrations(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let db = test.database
            try await db.migrate(component: "demo", Self.migrations)
            try await db.migrate(component: "demo", Self.migrations)
            #expect(try await db.appliedMigrations(component: "demo") == [1, 2])
            try await db.sql.raw("INSERT INTO items (id, amount, note) VALUES ('a', 1, 'x')").run()
            // A later start with one more migration applies only that one.
            let more = Self.migrations + [Migration(version: 3, name: "index", statements: ["CREATE INDEX items_amount ON items (amount)"])]
            try await db.migrate(component: "demo", more)
            #expect(try await db.appliedMigrations(component: "demo") == [1, 2, 3])
            #expect(try await db.sql.raw("SELECT COUNT(*) AS n FROM items").first()?.decode(column: "n", as: Int64.self) == 1)
        }
    }

    @Test("a failing migration leaves nothing behind", arguments: Backend.allCases)
    func failingMigration(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let broken = [Migration(version: 1, name: "broken", statements: ["CREATE TABLE half (id TEXT)", "THIS IS NOT SQL"])]
            await #expect(throws: (any Error).self) { try await test.database.migrate(component: "broken", broken) }
            let applied = try await test.database.appliedMigrations(component: "broken")
            #expect(applied.isEmpty)
            // The table from the first statement was rolled back with the migration.
            await #expect(throws: (any Error).self) { try await test.database.sql.raw("SELECT * FROM half").run() }
        }
    }

    @Test("a transaction commits all or nothing", arguments: Backend.allCases)
    func transactions(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let db = test.database
            try await db.migrate(component: "demo", Self.migrations)
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.transaction { tx in
                    try await tx.raw("INSERT INTO items (id, amount) VALUES ('a', 1)").run()
                    throw Boom()
                }
            }
            #expect(try await db.sql.raw("SELECT COUNT(*) AS n FROM items").first()?.decode(column: "n", as: Int64.self) == 0)
            try await db.transaction { tx in
                try await tx.raw("INSERT INTO items (id, amount) VALUES ('a', 1)").run()
                try await tx.raw("INSERT INTO items (id, amount) VALUES ('b', 2)").run()
            }
            #expect(try await db.sql.raw("SELECT CAST(SUM(amount) AS BIGINT) AS s FROM items").first()?.decode(column: "s", as: Int64.self) == 3)
        }
    }

    @Test("concurrent transactions are serialised, none lost", arguments: Backend.allCases)
    func concurrentTransactions(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let db = test.database
            try await db.migrate(component: "demo", Self.migrations)
            try await db.sql.raw("INSERT INTO items (id, amount) VALUES ('counter', 0)").run()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await db.transaction { tx in
                            // Read-modify-write: lost updates would show in the total.
                            let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
                            let value = try await tx.raw(SQLQueryString("SELECT amount FROM items WHERE id = 'counter'" + lock)).first()!.decode(column: "amount", as: Int64.self)
                            try await tx.raw("UPDATE items SET amount = \(bind: value + 1) WHERE id = 'counter'").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await db.sql.raw("SELECT amount FROM items WHERE id = 'counter'").first()?.decode(column: "amount", as: Int64.self) == 40)
        }
    }

    @Test("idempotency keys: proceed, replay, conflict, in progress, abandon, stale takeover", arguments: Backend.allCases)
    func idempotencyStore(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            try await test.database.migrate(component: "servicekit-test", [])
            let runtimeTables = try await Self.kitTables(test.database)
            #expect(runtimeTables)
            // The store's clock is the test's: a busy machine must not make a fresh
            // reservation look stale.
            let clock = ManualMilliseconds(1_780_000_000_000)
            let store = SQLIdempotencyStore(database: test.database, staleAfter: .seconds(1)) { clock.now }
            let digestA = Digest.sha256(Array("a".utf8))
            let digestB = Digest.sha256(Array("b".utf8))
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", requestDigest: digestA) == .proceed)
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", requestDigest: digestA) == .inProgress)
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", requestDigest: digestB) == .conflict)
            try await store.complete(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", responseBody: Array(#"{"ok":true}"#.utf8))
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", requestDigest: digestA) == .replay(responseBody: Array(#"{"ok":true}"#.utf8)))
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k1", requestDigest: digestB) == .conflict)
            // The same key in another scope (method or caller) is independent.
            #expect(try await store.begin(scope: "other", key: "k1", requestDigest: digestB) == .proceed)
            // An abandoned reservation can be taken again.
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k2", requestDigest: digestA) == .proceed)
            try await store.abandon(scope: "/tender.test.v1.TestService/Put|kari", key: "k2")
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k2", requestDigest: digestA) == .proceed)
            // A reservation whose process died is taken over once stale.
            clock.advance(by: 1000)
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k2", requestDigest: digestA) == .inProgress)
            clock.advance(by: 1)
            #expect(try await store.begin(scope: "/tender.test.v1.TestService/Put|kari", key: "k2", requestDigest: digestA) == .proceed)
        }
    }

    @Test("replicas reserving the same idempotency key at once: one proceeds, the others see it in progress — never an error", arguments: Backend.allCases)
    func concurrentReservations(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            _ = try await Self.kitTables(test.database)
            let store = SQLIdempotencyStore(database: test.database)
            let digest = Digest.sha256(Array("a".utf8))
            for round in 0..<5 {
                let decisions = try await withThrowingTaskGroup(of: IdempotencyDecision.self) { group in
                    for _ in 0..<8 { group.addTask { try await store.begin(scope: "scope", key: "k\(round)", requestDigest: digest) } }
                    return try await group.reduce(into: [IdempotencyDecision]()) { $0.append($1) }
                }
                #expect(decisions.filter { $0 == .proceed }.count == 1)
                #expect(decisions.filter { $0 == .inProgress }.count == 7)
            }
            // Another body under a key being reserved concurrently is a conflict, not an error.
            let other = Digest.sha256(Array("b".utf8))
            let mixed = try await withThrowingTaskGroup(of: IdempotencyDecision.self) { group in
                group.addTask { try await store.begin(scope: "scope", key: "mixed", requestDigest: digest) }
                group.addTask { try await store.begin(scope: "scope", key: "mixed", requestDigest: other) }
                return try await group.reduce(into: [IdempotencyDecision]()) { $0.append($1) }
            }
            #expect(mixed.filter { $0 == .proceed }.count == 1 && mixed.filter { $0 == .conflict }.count == 1)
        }
    }

    /// ServiceKit's own tables, applied the way ServiceRuntime applies them.
    static func kitTables(_ db: Database) async throws -> Bool {
        try await db.migrateServiceKit()
        _ = try await db.sql.raw("SELECT COUNT(*) AS n FROM idempotency_keys").first()
        _ = try await db.sql.raw("SELECT COUNT(*) AS n FROM outbox").first()
        return true
    }
}

/// Milliseconds that move only when the test says so.
final class ManualMilliseconds: Sendable {
    private let value: Atomic<Int64>
    init(_ start: Int64) { value = Atomic(start) }
    var now: Int64 { value.load(ordering: .relaxed) }
    func advance(by milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }
}
