import Foundation
public import Messages
public import ServiceKit
import SQLKit

/// What a service test reads back from the service's own database: the events it put in
/// the outbox, a fingerprint that a refused call must leave unchanged, and every stored
/// value (to search for what must never be stored).
extension Database {
    /// Every event in the outbox, oldest first.
    public func outboxEvents() async throws -> [ProcurementEvent] {
        try await sql.raw("SELECT payload FROM outbox ORDER BY seq").all().map { row in
            try JSONCoding.decoder().decode(AppendRequest.self, from: Data(try row.decode(column: "payload", as: String.self).utf8)).event
        }
    }

    /// The rows `queries` return, as text (columns in name order), one block per query.
    public func fingerprint(_ queries: [String]) async throws -> String {
        var parts: [String] = []
        for query in queries {
            for row in try await sql.raw(SQLQueryString(query)).all() {
                let columns = row.allColumns.sorted().map { column in
                    if let text = try? row.decode(column: column, as: String.self) { return text }
                    if let number = try? row.decode(column: column, as: Int64.self) { return String(number) }
                    return "NULL"
                }
                parts.append(columns.joined(separator: "|"))
            }
            parts.append("--")
        }
        return parts.joined(separator: "\n")
    }

    /// The names of every table.
    public func tableNames() async throws -> [String] {
        let listing: SQLQueryString = dialect == .postgres
            ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table'"
        return try await sql.raw(listing).all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// Every text or integer value in `tables`, as text.
    public func storedTexts(in tables: [String]) async throws -> [String] {
        var texts: [String] = []
        for table in tables {
            for row in try await sql.raw(SQLQueryString("SELECT * FROM \"" + table + "\"")).all() {
                texts += row.allColumns.compactMap { column in
                    (try? row.decode(column: column, as: String.self)) ?? (try? row.decode(column: column, as: Int64.self)).map(String.init)
                }
            }
        }
        return texts
    }
}

/// The ``RPCError`` that `body` throws, or nil when it succeeds.
public func refusal(of body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "not an RPCError: \(error)")
    }
}
