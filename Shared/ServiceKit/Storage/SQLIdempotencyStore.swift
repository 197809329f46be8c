import Foundation
public import Messages
public import RPC
import SQLKit

/// Idempotency keys kept with the service's data, so a repeated call replays its first
/// response also after a restart.
///
/// A reservation whose call never finished (the process died) is taken over after
/// `staleAfter`, so a crashed call can be retried with its key.
public struct SQLIdempotencyStore: IdempotencyStore {
    let database: Database
    let staleAfter: Duration
    let now: @Sendable () -> Int64

    /// - Parameter now: milliseconds since the epoch (tests pass their own).
    public init(database: Database, staleAfter: Duration = .seconds(120), now: @escaping @Sendable () -> Int64 = Self.systemMilliseconds) {
        self.database = database
        self.staleAfter = staleAfter
        self.now = now
    }

    /// The system clock in milliseconds since the epoch.
    public static let systemMilliseconds: @Sendable () -> Int64 = { Timestamp(Date()).millisecondsSinceEpoch }

    public func begin(scope: String, key: String, requestDigest: Digest) async throws -> IdempotencyDecision {
        let now = self.now()
        return try await database.transaction { tx in
            let row = try await tx.raw("""
                SELECT request_digest, response, reserved_at FROM idempotency_keys
                WHERE scope = \(bind: scope) AND idem_key = \(bind: key)
                """).first()
            guard let row else {
                // Two replicas sharing the table may both find no row; the one whose insert
                // lands proceeds, the other sees a call with this key in progress (not the
                // unique-key violation PostgreSQL would otherwise raise as `internal`).
                let inserted = try await tx.raw("""
                    INSERT INTO idempotency_keys (scope, idem_key, request_digest, reserved_at)
                    VALUES (\(bind: scope), \(bind: key), \(bind: requestDigest.description), \(bind: now))
                    ON CONFLICT (scope, idem_key) DO NOTHING RETURNING reserved_at
                    """).first()
                guard inserted == nil else { return .proceed }
                let winner = try await tx.raw("""
                    SELECT request_digest FROM idempotency_keys WHERE scope = \(bind: scope) AND idem_key = \(bind: key)
                    """).first()
                return try winner?.decode(column: "request_digest", as: String.self) == requestDigest.description ? .inProgress : .conflict
            }
            guard try row.decode(column: "request_digest", as: String.self) == requestDigest.description else { return .conflict }
            if let response = try row.decode(column: "response", as: String?.self) {
                return .replay(responseBody: Array(response.utf8))
            }
            let reservedAt = try row.decode(column: "reserved_at", as: Int64.self)
            guard now - reservedAt > staleAfter.components.seconds * 1000 else { return .inProgress }
            try await tx.raw("UPDATE idempotency_keys SET reserved_at = \(bind: now) WHERE scope = \(bind: scope) AND idem_key = \(bind: key)").run()
            return .proceed
        }
    }

    public func complete(scope: String, key: String, responseBody: [UInt8]) async throws {
        try await database.sql.raw("""
            UPDATE idempotency_keys SET response = \(bind: String(decoding: responseBody, as: UTF8.self))
            WHERE scope = \(bind: scope) AND idem_key = \(bind: key)
            """).run()
    }

    public func abandon(scope: String, key: String) async throws {
        try await database.sql.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND idem_key = \(bind: key) AND response IS NULL").run()
    }

}
