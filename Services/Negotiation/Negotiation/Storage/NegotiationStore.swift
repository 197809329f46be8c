import Foundation
import Messages
import ServiceKit
import SQLKit

/// Negotiation's rows in SQL, the same queries on SQLite and PostgreSQL. Every function takes
/// the connection to run on, so a state change and its outbox event share one transaction.
struct NegotiationStore: Sendable {
    let dialect: DatabaseDialect

    /// A dialogue as stored, without its rounds, messages, offers, pilots and notices.
    struct DialogueRow: Sendable, Hashable {
        var dialogue: DialogueID
        var challenge: ChallengeID
        var application: ApplicationID
        var orgNumber: OrgNumber
        var companyName: String
        var rank: Int
        var applicationRef: VaultRef
        var status: DialogueStatus
        var negotiators: [String]
        var outcome: DialogueOutcome?
        var endReason: String?
        var openedAt: Timestamp

        init(dialogue: DialogueID, challenge: ChallengeID, application: ApplicationID, orgNumber: OrgNumber, companyName: String, rank: Int,
             applicationRef: VaultRef, status: DialogueStatus, negotiators: [String], outcome: DialogueOutcome?, endReason: String?, openedAt: Timestamp) {
            self.dialogue = dialogue
            self.challenge = challenge
            self.application = application
            self.orgNumber = orgNumber
            self.companyName = companyName
            self.rank = rank
            self.applicationRef = applicationRef
            self.status = status
            self.negotiators = negotiators
            self.outcome = outcome
            self.endReason = endReason
            self.openedAt = openedAt
        }

        init(row: any SQLRow) throws {
            dialogue = try row.parsed("dialogue_id", DialogueID.init)
            challenge = try row.parsed("challenge_id", ChallengeID.init)
            application = try row.parsed("application_id", ApplicationID.init)
            orgNumber = try row.parsed("org", OrgNumber.init)
            companyName = try row.string("company_name")
            rank = try row.int("rank")
            applicationRef = try row.parsed("application_ref", VaultRef.init)
            status = try row.parsed("status", DialogueStatus.init(rawValue:))
            negotiators = try row.json("negotiators", as: [String].self)
            outcome = try row.decode(column: "outcome", as: String?.self).map { try JSONCoding.decoder().decode(DialogueOutcome.self, from: Data($0.utf8)) }
            endReason = try row.decode(column: "end_reason", as: String?.self)
            openedAt = try row.timestamp("opened_at")
        }
    }

    static let dialogueColumns = """
        dialogue_id, challenge_id, application_id, org, company_name, rank, application_ref, status, negotiators, outcome, end_reason, opened_at
        """

    // MARK: Challenges

    /// Marks `challenge` opened; false when it was already (a concurrent opening won), and
    /// then nothing is written.
    func insertChallenge(_ challenge: ChallengeID, by officer: String, at time: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO neg_challenges (challenge_id, opened_at, opened_by)
            VALUES (\(bind: challenge.rawValue), \(bind: time.millisecondsSinceEpoch), \(bind: officer))
            ON CONFLICT (challenge_id) DO NOTHING RETURNING challenge_id
            """).first() != nil
    }

    /// Whether `challenge` has dialogues; locks its row until the transaction ends when
    /// `forUpdate` (PostgreSQL row lock; SQLite's `BEGIN IMMEDIATE` already serialises
    /// writers). Every change of a challenge or one of its dialogues locks it first, so
    /// changes are serial and each sees the state the previous one left.
    func challengeExists(_ challenge: ChallengeID, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> Bool {
        let lock = forUpdate && dialect == .postgres ? " FOR UPDATE" : ""
        return try await db.raw("""
            SELECT challenge_id FROM neg_challenges WHERE challenge_id = \(bind: challenge.rawValue)\(unsafeRaw: lock)
            """).first() != nil
    }

    // MARK: Dialogues

    func insertDialogue(_ dialogue: DialogueRow, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_dialogues (\(unsafeRaw: Self.dialogueColumns))
            VALUES (\(bind: dialogue.dialogue.rawValue), \(bind: dialogue.challenge.rawValue), \(bind: dialogue.application.rawValue),
                    \(bind: dialogue.orgNumber.rawValue), \(bind: dialogue.companyName), \(bind: Int64(dialogue.rank)),
                    \(bind: dialogue.applicationRef.rawValue), \(bind: dialogue.status.rawValue), \(bind: try jsonText(dialogue.negotiators)),
                    \(bind: try dialogue.outcome.map { try jsonText($0) }), \(bind: dialogue.endReason), \(bind: dialogue.openedAt.millisecondsSinceEpoch))
            """).run()
    }

    func dialogue(_ id: DialogueID, on db: any SQLDatabase) async throws -> DialogueRow? {
        try await db.raw("SELECT \(unsafeRaw: Self.dialogueColumns) FROM neg_dialogues WHERE dialogue_id = \(bind: id.rawValue)")
            .first().map(DialogueRow.init(row:))
    }

    /// The dialogues of `challenge`, best ranked first.
    func dialogues(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [DialogueRow] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.dialogueColumns) FROM neg_dialogues WHERE challenge_id = \(bind: challenge.rawValue) ORDER BY rank, dialogue_id
            """).all().map(DialogueRow.init(row:))
    }

    /// Writes the dialogue's status, outcome and end reason.
    func saveState(_ dialogue: DialogueRow, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE neg_dialogues SET status = \(bind: dialogue.status.rawValue), outcome = \(bind: try dialogue.outcome.map { try jsonText($0) }),
                end_reason = \(bind: dialogue.endReason)
            WHERE dialogue_id = \(bind: dialogue.dialogue.rawValue)
            """).run()
    }

    /// Ends the dialogue when it is still `status`; false when another change got there first.
    func end(_ dialogue: DialogueID, from status: DialogueStatus, reason: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_dialogues SET status = \(bind: DialogueStatus.ended.rawValue), end_reason = \(bind: reason)
            WHERE dialogue_id = \(bind: dialogue.rawValue) AND status = \(bind: status.rawValue) RETURNING dialogue_id
            """).first() != nil
    }

    func setNegotiators(_ dialogue: DialogueID, _ negotiators: [String], on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE neg_dialogues SET negotiators = \(bind: try jsonText(negotiators)) WHERE dialogue_id = \(bind: dialogue.rawValue)
            """).run()
    }

    // MARK: Refs

    /// What a dialogue's Vault ref holds.
    enum RefKind: String, Sendable {
        case application, message, minutes, offer
        case pilotReport = "pilot-report"
    }

    /// Adds `ref` to the dialogue; false when the dialogue holds it already.
    func insertRef(_ ref: VaultRef, kind: RefKind, dialogue: DialogueID, at time: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO neg_refs (dialogue_id, ref, kind, added_at)
            VALUES (\(bind: dialogue.rawValue), \(bind: ref.rawValue), \(bind: kind.rawValue), \(bind: time.millisecondsSinceEpoch))
            ON CONFLICT (dialogue_id, ref) DO NOTHING RETURNING ref
            """).first() != nil
    }

    /// Whether `ref` is one of the dialogue's.
    func holds(_ ref: VaultRef, dialogue: DialogueID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            SELECT ref FROM neg_refs WHERE dialogue_id = \(bind: dialogue.rawValue) AND ref = \(bind: ref.rawValue)
            """).first() != nil
    }

    // MARK: Grants

    /// Keeps a note of a grant issued (its id, never the token), for audit against the
    /// Vault's access log.
    func insertGrant(_ grant: AccessGrant, dialogue: DialogueID, reader: Actor, issuedAt: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_grants (grant_id, dialogue_id, vault_ref, subject, role, issued_at, expires_at)
            VALUES (\(bind: grant.grantID.rawValue), \(bind: dialogue.rawValue), \(bind: grant.ref.rawValue), \(bind: reader.subject),
                    \(bind: reader.role.rawValue), \(bind: issuedAt.millisecondsSinceEpoch), \(bind: grant.expiresAt.millisecondsSinceEpoch))
            """).run()
    }

    /// The next number (from 1) in `table` for the rows where `column` = `key`.
    func nextNumber(in table: String, column: String, key: String, numberColumn: String = "number", on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COALESCE(MAX(\(unsafeRaw: numberColumn)), 0) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: key)
            """).first()
        return (try row?.int("n") ?? 0) + 1
    }
}
