import SQLKit

/// ServiceKit's own tables, migrated before a service's: idempotency keys and the outbox.
enum KitMigrations {
    static let component = "servicekit"

    static let all: [Migration] = [
        Migration(version: 1, name: "idempotency keys", statements: [
            """
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL, idem_key TEXT NOT NULL, request_digest TEXT NOT NULL,
                response TEXT, reserved_at BIGINT NOT NULL, PRIMARY KEY (scope, idem_key))
            """,
        ]),
        Migration(version: 2, name: "outbox") { db, dialect in
            try await db.raw(SQLQueryString("""
                CREATE TABLE outbox (
                    seq \(unsafeRaw: dialect.serialPrimaryKey),
                    event_id TEXT NOT NULL UNIQUE,
                    destination TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    last_error TEXT,
                    delivered_at BIGINT)
                """)).run()
            try await db.raw("CREATE INDEX outbox_pending ON outbox (delivered_at, seq)").run()
        },
    ]
}

extension Database {
    /// Creates or updates ServiceKit's own tables (idempotency keys, outbox).
    public func migrateServiceKit() async throws {
        try await migrate(component: KitMigrations.component, KitMigrations.all)
    }
}
