import Foundation
import Messages
import SQLKit
import ServiceKit

extension VaultStore {
    /// The recorded facts of a shred.
    struct ShredRow: Sendable {
        var owner: OrgNumber
        var challenge: ChallengeID
        var shreddedAt: Timestamp
        var refs: Int
        var reason: String
        var actor: Actor
        var eventID: EventID
        /// Seals the owner in the recorded event.
        var ownerSalt: [UInt8]
    }

    func shred(owner: OrgNumber, challenge: ChallengeID, on db: any SQLDatabase) async throws -> ShredRow? {
        let row = try await db.raw("""
            SELECT shredded_at, refs, reason, actor_subject, actor_role, event_id, owner_salt FROM vault_shreds
            WHERE owner = \(bind: owner.rawValue) AND challenge = \(bind: challenge.rawValue)
            """).first()
        guard let row else { return nil }
        guard let role = Role(rawValue: try row.decode(column: "actor_role", as: String.self)),
              let eventID = EventID(try row.decode(column: "event_id", as: String.self)),
              let salt = Data(base64Encoded: try row.decode(column: "owner_salt", as: String?.self) ?? "")
        else { throw RPCError(.dataLoss, "a stored shred record is malformed") }
        return ShredRow(
            owner: owner, challenge: challenge,
            shreddedAt: Timestamp(millisecondsSinceEpoch: try row.decode(column: "shredded_at", as: Int64.self)),
            refs: Int(try row.decode(column: "refs", as: Int64.self)),
            reason: try row.decode(column: "reason", as: String.self),
            actor: Actor(subject: try row.decode(column: "actor_subject", as: String.self), role: role),
            eventID: eventID, ownerSalt: Array(salt))
    }

    func insert(_ shred: ShredRow, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO vault_shreds (owner, challenge, shredded_at, refs, reason, actor_subject, actor_role, event_id, owner_salt)
            VALUES (\(bind: shred.owner.rawValue), \(bind: shred.challenge.rawValue), \(bind: shred.shreddedAt.millisecondsSinceEpoch),
                    \(bind: Int64(shred.refs)), \(bind: shred.reason), \(bind: shred.actor.subject), \(bind: shred.actor.role.rawValue),
                    \(bind: shred.eventID.rawValue), \(bind: Data(shred.ownerSalt).base64EncodedString()))
            """).run()
    }

    /// On SQLite, moves every page into the database file and empties the write-ahead log,
    /// so the bytes of a key just destroyed do not survive in old log frames.
    func truncateWriteAheadLog() async throws {
        guard database.dialect == .sqlite else { return }
        try await database.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
    }
}
