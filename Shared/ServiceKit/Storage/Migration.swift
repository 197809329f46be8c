public import SQLKit

/// One versioned schema change of a component (a service, or ServiceKit's own tables).
///
/// Migrations run at start-up, in version order, each in its own transaction together with
/// the row that records it, so a crash leaves either all of a migration or none. Replicas
/// starting together on PostgreSQL serialise on an advisory lock.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let apply: @Sendable (any SQLDatabase, DatabaseDialect) async throws -> Void

    /// A migration made of SQL statements; `dialect` lets the few statements that must differ
    /// (auto-increment keys, say) differ.
    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLDatabase, DatabaseDialect) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }

    /// A migration of statements that are the same on SQLite and PostgreSQL.
    public init(version: Int, name: String, statements: [String]) {
        self.init(version: version, name: name) { db, _ in
            for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
        }
    }
}

/// Which SQL engine a ``Database`` talks to.
public enum DatabaseDialect: String, Sendable {
    case sqlite
    case postgres

    /// The type of an auto-incrementing 64-bit primary key column.
    public var serialPrimaryKey: String {
        switch self {
        case .sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: "BIGSERIAL PRIMARY KEY"
        }
    }

    /// The type of a binary column.
    public var blob: String {
        switch self {
        case .sqlite: "BLOB"
        case .postgres: "BYTEA"
        }
    }
}
