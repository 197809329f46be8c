import Foundation
import Messages
import SQLKit
import ServiceKit

/// The record's rows in SQL (SQLite or PostgreSQL). Hashes are stored as lowercase hex, the
/// leaf as the exact canonical JSON text that was hashed.
struct RecordStore: Sendable {
    let database: Database

    struct StoredEntry: Sendable {
        var index: Int64
        var leaf: String
        var leafHash: String

        init(row: any SQLRow) throws {
            index = try row.decode(column: "idx", as: Int64.self)
            leaf = try row.decode(column: "leaf", as: String.self)
            leafHash = try row.decode(column: "leaf_hash", as: String.self)
        }
    }

    struct StoredCheckpoint: Sendable {
        var size: Int64
        var root: Merkle.Hash
        var note: String
    }

    func latestCheckpoint(on db: (any SQLDatabase)? = nil) async throws -> StoredCheckpoint? {
        let row = try await (db ?? database.sql).raw("SELECT size, root, note FROM record_checkpoints ORDER BY size DESC LIMIT 1").first()
        guard let row else { return nil }
        return StoredCheckpoint(
            size: try row.decode(column: "size", as: Int64.self),
            root: [UInt8](hex: try row.decode(column: "root", as: String.self)) ?? [],
            note: try row.decode(column: "note", as: String.self))
    }

    func entryCount(on db: (any SQLDatabase)? = nil) async throws -> Int64 {
        try await (db ?? database.sql).raw("SELECT COUNT(*) AS n FROM record_entries").first()?.decode(column: "n", as: Int64.self) ?? 0
    }

    /// Indices and leaf hashes of the given event ids already in the log.
    func existing(eventIDs: [String], on db: any SQLDatabase) async throws -> [String: (Int64, String)] {
        guard !eventIDs.isEmpty else { return [:] }
        var found: [String: (Int64, String)] = [:]
        for chunk in stride(from: 0, to: eventIDs.count, by: 200).map({ Array(eventIDs[$0..<min($0 + 200, eventIDs.count)]) }) {
            let rows = try await db.raw("SELECT idx, event_id, leaf_hash FROM record_entries WHERE event_id IN (\(binds: chunk))").all()
            for row in rows {
                found[try row.decode(column: "event_id", as: String.self)] = (try row.decode(column: "idx", as: Int64.self), try row.decode(column: "leaf_hash", as: String.self))
            }
        }
        return found
    }

    func insert(entries: [(index: Int64, event: ProcurementEvent, leaf: String, leafHash: Merkle.Hash)], nodes: [(NodeID, Merkle.Hash)], checkpoint: StoredCheckpoint, on db: any SQLDatabase) async throws {
        let now = Timestamp(Date()).millisecondsSinceEpoch
        for chunk in stride(from: 0, to: entries.count, by: 100).map({ entries[$0..<min($0 + 100, entries.count)] }) {
            var insert = db.insert(into: "record_entries").columns("idx", "event_id", "challenge_id", "event_type", "leaf", "leaf_hash", "appended_at")
            for entry in chunk {
                insert = insert.values(SQLBind(entry.index), SQLBind(entry.event.id.rawValue), SQLBind(entry.event.challenge.rawValue),
                                       SQLBind(entry.event.type.rawValue), SQLBind(entry.leaf), SQLBind(entry.leafHash.hexString), SQLBind(now))
            }
            try await insert.run()
        }
        for chunk in stride(from: 0, to: nodes.count, by: 200).map({ nodes[$0..<min($0 + 200, nodes.count)] }) {
            var insert = db.insert(into: "record_nodes").columns("level", "idx", "hash")
            for (id, hash) in chunk { insert = insert.values(SQLBind(Int64(id.level)), SQLBind(id.index), SQLBind(hash.hexString)) }
            try await insert.run()
        }
        try await db.raw("""
            INSERT INTO record_checkpoints (size, root, note, signed_at)
            VALUES (\(bind: checkpoint.size), \(bind: checkpoint.root.hexString), \(bind: checkpoint.note), \(bind: now))
            """).run()
    }

    /// The stored hashes of `ids`; throws `data_loss` if one is missing.
    func nodes(_ ids: Set<NodeID>) async throws -> [NodeID: Merkle.Hash] {
        var result: [NodeID: Merkle.Hash] = [:]
        let sorted = ids.sorted { ($0.level, $0.index) < ($1.level, $1.index) }
        for chunk in stride(from: 0, to: sorted.count, by: 100).map({ Array(sorted[$0..<min($0 + 100, sorted.count)]) }) {
            let condition = chunk.map { "(level = \($0.level) AND idx = \($0.index))" }.joined(separator: " OR ")
            let rows = try await database.sql.raw(SQLQueryString("SELECT level, idx, hash FROM record_nodes WHERE " + condition)).all()
            for row in rows {
                let id = NodeID(level: Int(try row.decode(column: "level", as: Int64.self)), index: try row.decode(column: "idx", as: Int64.self))
                guard let hash = [UInt8](hex: try row.decode(column: "hash", as: String.self)), hash.count == 32 else {
                    throw RPCError(.dataLoss, "stored hash of node \(id.level)/\(id.index) is malformed")
                }
                result[id] = hash
            }
        }
        for id in ids where result[id] == nil {
            throw RPCError(.dataLoss, "stored hash of node \(id.level)/\(id.index) is missing")
        }
        return result
    }

    func entries(from start: Int64, toExclusive end: Int64) async throws -> [StoredEntry] {
        try await database.sql.raw("SELECT idx, leaf, leaf_hash FROM record_entries WHERE idx >= \(bind: start) AND idx < \(bind: end) ORDER BY idx").all().map(StoredEntry.init(row:))
    }

    func entries(challenge: String) async throws -> [StoredEntry] {
        try await database.sql.raw("SELECT idx, leaf, leaf_hash FROM record_entries WHERE challenge_id = \(bind: challenge) ORDER BY idx").all().map(StoredEntry.init(row:))
    }

    func index(ofLeafHash hash: Merkle.Hash) async throws -> Int64? {
        try await database.sql.raw("SELECT idx FROM record_entries WHERE leaf_hash = \(bind: hash.hexString) ORDER BY idx LIMIT 1").first()?.decode(column: "idx", as: Int64.self)
    }
}
