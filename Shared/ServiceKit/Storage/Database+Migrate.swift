import Foundation
import Logging
import Messages
import SQLKit

extension Database {
    /// Applies the migrations of `component` that have not run yet, in version order.
    public func migrate(component: String, _ migrations: [Migration]) async throws {
        let versions = migrations.map(\.version)
        precondition(Set(versions).count == versions.count && versions == versions.sorted(), "migration versions of \(component) must be unique and ascending")
        try await sql.raw("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
                PRIMARY KEY (component, version))
            """).run()
        for migration in migrations {
            try await transaction { tx in
                if dialect == .postgres {
                    try await tx.raw("SELECT pg_advisory_xact_lock(\(bind: Int64(7_317_001)))").run()
                }
                let done = try await tx.raw("SELECT version FROM schema_migrations WHERE component = \(bind: component) AND version = \(bind: Int64(migration.version))").first()
                guard done == nil else { return }
                try await migration.apply(tx, dialect)
                try await tx.raw("""
                    INSERT INTO schema_migrations (component, version, name, applied_at)
                    VALUES (\(bind: component), \(bind: Int64(migration.version)), \(bind: migration.name), \(bind: Timestamp(Date()).iso8601))
                    """).run()
                logger.info("migration applied", metadata: ["component": .string(component), "version": .stringConvertible(migration.version), "name": .string(migration.name)])
            }
        }
    }

    /// The versions of `component` applied so far.
    public func appliedMigrations(component: String) async throws -> [Int] {
        try await sql.raw("SELECT version FROM schema_migrations WHERE component = \(bind: component) ORDER BY version").all()
            .map { Int(try $0.decode(column: "version", as: Int64.self)) }
    }
}
