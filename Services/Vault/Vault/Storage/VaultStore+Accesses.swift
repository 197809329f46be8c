import Foundation
import Messages
import SQLKit
import ServiceKit

extension VaultStore {
    /// Records one read (its `access` id is the id of the event sent to Records).
    func insert(_ access: AccessEntry, owner: OrgNumber, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO vault_accesses (access_id, ref, owner, challenge, field, reader_subject, reader_role, issuer,
                                        purpose, grant_id, accessed_at)
            VALUES (\(bind: access.access), \(bind: access.ref.rawValue), \(bind: owner.rawValue), \(bind: access.challenge.rawValue),
                    \(bind: access.field), \(bind: access.reader.subject), \(bind: access.reader.role.rawValue), \(bind: access.issuer),
                    \(bind: access.purpose), \(bind: access.grant.rawValue), \(bind: access.time.millisecondsSinceEpoch))
            """).run()
    }

    /// Every read of `owner`'s data (only of `ref` when given), oldest first.
    func accesses(owner: OrgNumber, ref: VaultRef?) async throws -> [AccessEntry] {
        let refFilter = ref.map { SQLQueryString(" AND ref = \(bind: $0.rawValue)") } ?? SQLQueryString("")
        let query: SQLQueryString = """
            SELECT access_id, ref, challenge, field, reader_subject, reader_role, issuer, purpose, grant_id, accessed_at
            FROM vault_accesses WHERE owner = \(bind: owner.rawValue)\(refFilter) ORDER BY seq
            """
        return try await database.sql.raw(query).all().map { row in
            guard let ref = VaultRef(try row.decode(column: "ref", as: String.self)),
                  let challenge = ChallengeID(try row.decode(column: "challenge", as: String.self)),
                  let role = Role(rawValue: try row.decode(column: "reader_role", as: String.self)),
                  let grant = GrantID(try row.decode(column: "grant_id", as: String.self))
            else { throw RPCError(.dataLoss, "a stored access record is malformed") }
            return AccessEntry(
                access: try row.decode(column: "access_id", as: String.self), ref: ref, challenge: challenge,
                field: try row.decode(column: "field", as: String.self),
                reader: Actor(subject: try row.decode(column: "reader_subject", as: String.self), role: role),
                issuer: try row.decode(column: "issuer", as: String.self),
                purpose: try row.decode(column: "purpose", as: String.self), grant: grant,
                time: Timestamp(millisecondsSinceEpoch: try row.decode(column: "accessed_at", as: Int64.self)))
        }
    }
}
