import Foundation
import Logging
import SQLKit
import ServiceKit

/// PostgreSQL mode of a local stack: one database per service on one server, named after
/// the database of the URL given (`…/tender` → `tender_records`, `tender_vault`, …), because
/// every service has tables of the same names (`outbox`, `idempotency_keys`). Replicas of a
/// service share its database.
///
/// The URL's own database is used only to create the others: its user needs `CREATEDB`.
struct StackDatabases: Sendable {
    let url: String
    let base: String

    init(url: String) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
              let components = URLComponents(string: url), components.host != nil else {
            throw StackError("--database-url must be postgres://user:password@host:port/database, not \(url.prefix(40))")
        }
        let name = String(components.path.dropFirst())
        guard !name.isEmpty, name.utf8.count <= 40, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !name.first!.isNumber else {
            throw StackError("the database in --database-url must be a plain name (letters, digits, _; at most 40), not '\(name)'")
        }
        self.url = url
        self.base = name
    }

    func name(_ service: String) -> String { base + "_" + service }

    /// The service's `DATABASE_URL`: the given one with its database replaced.
    func url(_ service: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name(service)
        return components.string!
    }

    /// Creates each service's database that does not exist yet; with `fresh`, drops it
    /// first (the demo starts from empty databases, as it starts from an empty directory).
    func prepare(services: [String], fresh: Bool) async throws {
        try await withAdmin { admin in
            for service in services {
                let name = name(service)
                if fresh { try await admin.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
                let exists = try await admin.sql.raw("SELECT 1 AS one FROM pg_database WHERE datname = \(bind: name)").first() != nil
                if !exists { try await admin.sql.raw("CREATE DATABASE \(ident: name)").run() }
            }
        }
    }

    /// The text of every row of every table of the service's database (`row_to_json`, and
    /// `bytea` columns decoded with `encode(…, 'escape')` so bytes that are text stay
    /// readable), for searching it as the demo searches files.
    func dump(_ service: String) async throws -> String {
        let database = try await Database.postgres(url: url(service), maxConnections: 1, logger: Self.logger)
        do {
            var text = ""
            let tables = try await database.sql.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'").all()
                .map { try $0.decode(column: "table_name", as: String.self) }
            for table in tables {
                for row in try await database.sql.raw("SELECT row_to_json(t)::text AS j FROM \(ident: table) t").all() {
                    text += try row.decode(column: "j", as: String.self) + "\n"
                }
                let blobs = try await database.sql.raw("""
                    SELECT column_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name = \(bind: table) AND data_type = 'bytea'
                    """).all().map { try $0.decode(column: "column_name", as: String.self) }
                for column in blobs {
                    for row in try await database.sql.raw("SELECT encode(\(ident: column), 'escape') AS b FROM \(ident: table) WHERE \(ident: column) IS NOT NULL").all() {
                        text += try row.decode(column: "b", as: String.self) + "\n"
                    }
                }
            }
            try await database.close()
            return text
        } catch {
            try? await database.close()
            throw error
        }
    }

    private func withAdmin(_ body: (Database) async throws -> Void) async throws {
        let admin: Database
        do {
            admin = try await Database.postgres(url: url, maxConnections: 1, logger: Self.logger)
        } catch {
            throw StackError("cannot connect to \(base) at --database-url: \(String(reflecting: error))")
        }
        do {
            try await body(admin)
        } catch {
            try? await admin.close()
            throw error
        }
        try await admin.close()
    }

    static var logger: Logger {
        var logger = Logger(label: "tenderctl.database")
        logger.logLevel = .warning
        return logger
    }
}
