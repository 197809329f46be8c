import Foundation
import Messages
import ServiceKit
import SQLKit

/// Clarifications, notices, awards and complaints: what concerns a whole challenge.
extension NegotiationStore {
    // MARK: Clarifications and notices

    func insertClarification(_ clarification: Clarification, by officer: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_clarifications (challenge_id, number, text, digest, sent_at, sent_by)
            VALUES (\(bind: clarification.challenge.rawValue), \(bind: Int64(clarification.number)), \(bind: clarification.text),
                    \(bind: clarification.digest.description), \(bind: clarification.sentAt.millisecondsSinceEpoch), \(bind: officer))
            """).run()
    }

    /// Delivers notice `number` of `kind` to each of `dialogues`, all at `time`.
    func deliver(_ kind: DialogueNotice.Kind, number: Int, to dialogues: [DialogueID], at time: Timestamp, on db: any SQLDatabase) async throws {
        guard !dialogues.isEmpty else { return }
        var insert = db.insert(into: "neg_notices").columns("dialogue_id", "kind", "number", "delivered_at")
        for dialogue in dialogues {
            insert = insert.values(SQLBind(dialogue.rawValue), SQLBind(kind.rawValue), SQLBind(Int64(number)), SQLBind(time.millisecondsSinceEpoch))
        }
        try await insert.run()
    }

    /// The notices delivered to `dialogue`, oldest first, each with the text its kind holds.
    func notices(_ dialogue: DialogueRow, on db: any SQLDatabase) async throws -> [DialogueNotice] {
        try await db.raw("""
            SELECT n.kind, n.number, n.delivered_at, c.text AS clarification_text, c.digest AS clarification_digest,
                   a.notice AS award_text, a.notice_digest AS award_digest
            FROM neg_notices n
            LEFT JOIN neg_clarifications c ON n.kind = 'clarification' AND c.challenge_id = \(bind: dialogue.challenge.rawValue) AND c.number = n.number
            LEFT JOIN neg_awards a ON n.kind = 'award' AND a.challenge_id = \(bind: dialogue.challenge.rawValue) AND a.number = n.number
            WHERE n.dialogue_id = \(bind: dialogue.dialogue.rawValue) ORDER BY n.delivered_at, n.kind, n.number
            """).all().map { row in
            let kind = try row.parsed("kind", DialogueNotice.Kind.init(rawValue:))
            let prefix = kind == .clarification ? "clarification" : "award"
            guard let text = try row.decode(column: prefix + "_text", as: String?.self),
                  let digest = try row.decode(column: prefix + "_digest", as: String?.self).flatMap(Digest.init)
            else { throw RPCError(.dataLoss, "a delivered \(kind.rawValue) notice has no text") }
            return DialogueNotice(kind: kind, number: try row.int("number"), text: text, digest: digest, deliveredAt: try row.timestamp("delivered_at"))
        }
    }

    // MARK: Awards

    /// An award as stored; its open complaints are read separately.
    struct AwardRow: Sendable, Hashable {
        var challenge: ChallengeID
        var number: Int
        var decisions: [DialogueDecision]
        var decidedAt: Timestamp
        var decidedBy: String
        var standstillStart: Timestamp
        var standstillEnd: Timestamp
        var status: AwardStatus
        var notice: String
        var noticeDigest: Digest

        init(challenge: ChallengeID, number: Int, decisions: [DialogueDecision], decidedAt: Timestamp, decidedBy: String, standstillStart: Timestamp,
             standstillEnd: Timestamp, status: AwardStatus, notice: String, noticeDigest: Digest) {
            self.challenge = challenge
            self.number = number
            self.decisions = decisions
            self.decidedAt = decidedAt
            self.decidedBy = decidedBy
            self.standstillStart = standstillStart
            self.standstillEnd = standstillEnd
            self.status = status
            self.notice = notice
            self.noticeDigest = noticeDigest
        }

        init(row: any SQLRow) throws {
            challenge = try row.parsed("challenge_id", ChallengeID.init)
            number = try row.int("number")
            decisions = try row.json("decisions", as: [DialogueDecision].self)
            decidedAt = try row.timestamp("decided_at")
            decidedBy = try row.string("decided_by")
            standstillStart = try row.timestamp("standstill_start")
            standstillEnd = try row.timestamp("standstill_end")
            status = try row.parsed("status", AwardStatus.init(rawValue:))
            notice = try row.string("notice")
            noticeDigest = try row.parsed("notice_digest", Digest.init)
        }

        func award(openComplaints: [Int]) -> Award {
            Award(
                challenge: challenge, number: number, decisions: decisions, decidedAt: decidedAt, decidedBy: decidedBy,
                standstillStart: standstillStart, standstillEnd: standstillEnd, status: status, openComplaints: openComplaints,
                notice: DialogueNotice(kind: .award, number: number, text: notice, digest: noticeDigest, deliveredAt: decidedAt))
        }
    }

    private static let awardColumns = "challenge_id, number, decisions, decided_at, decided_by, standstill_start, standstill_end, status, notice, notice_digest"

    func insertAward(_ award: AwardRow, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_awards (\(unsafeRaw: Self.awardColumns))
            VALUES (\(bind: award.challenge.rawValue), \(bind: Int64(award.number)), \(bind: try jsonText(award.decisions)),
                    \(bind: award.decidedAt.millisecondsSinceEpoch), \(bind: award.decidedBy), \(bind: award.standstillStart.millisecondsSinceEpoch),
                    \(bind: award.standstillEnd.millisecondsSinceEpoch), \(bind: award.status.rawValue), \(bind: award.notice),
                    \(bind: award.noticeDigest.description))
            """).run()
    }

    func awards(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [AwardRow] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.awardColumns) FROM neg_awards WHERE challenge_id = \(bind: challenge.rawValue) ORDER BY number
            """).all().map(AwardRow.init(row:))
    }

    func award(_ challenge: ChallengeID, _ number: Int, on db: any SQLDatabase) async throws -> AwardRow? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.awardColumns) FROM neg_awards WHERE challenge_id = \(bind: challenge.rawValue) AND number = \(bind: Int64(number))
            """).first().map(AwardRow.init(row:))
    }

    /// Awards in their standstill period whose end has come by `now`, of every challenge (or
    /// of one).
    func dueStandstills(at now: Timestamp, challenge: ChallengeID? = nil, on db: any SQLDatabase) async throws -> [(challenge: ChallengeID, number: Int)] {
        var query = SQLQueryString("""
            SELECT challenge_id, number FROM neg_awards
            WHERE status = \(bind: AwardStatus.standstill.rawValue) AND standstill_end <= \(bind: now.millisecondsSinceEpoch)
            """)
        if let challenge { query.appendInterpolation(unsafeRaw: " AND challenge_id = "); query.appendInterpolation(bind: challenge.rawValue) }
        query.appendInterpolation(unsafeRaw: " ORDER BY challenge_id, number")
        return try await db.raw(query).all().map { (try $0.parsed("challenge_id", ChallengeID.init), try $0.int("number")) }
    }

    /// Moves the award from `from` to `to`; false when it no longer was `from` (another
    /// replica, or another call, moved it first).
    func setStatus(_ to: AwardStatus, of challenge: ChallengeID, award number: Int, from: AwardStatus, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_awards SET status = \(bind: to.rawValue)
            WHERE challenge_id = \(bind: challenge.rawValue) AND number = \(bind: Int64(number)) AND status = \(bind: from.rawValue)
            RETURNING number
            """).first() != nil
    }

    // MARK: Complaints

    private static let complaintColumns = "challenge_id, number, award, org, summary, registered_at, outcome, reason, resolved_at"

    private static func complaint(row: any SQLRow) throws -> Complaint {
        Complaint(
            challenge: try row.parsed("challenge_id", ChallengeID.init), number: try row.int("number"), award: try row.int("award"),
            orgNumber: try row.parsed("org", OrgNumber.init), summary: try row.string("summary"), registeredAt: try row.timestamp("registered_at"),
            outcome: try row.decode(column: "outcome", as: String?.self).map { text in
                guard let outcome = ComplaintOutcome(rawValue: text) else { throw RPCError(.dataLoss, "stored complaint outcome is malformed") }
                return outcome
            },
            reason: try row.decode(column: "reason", as: String?.self), resolvedAt: try row.optionalTimestamp("resolved_at"))
    }

    func complaints(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [Complaint] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.complaintColumns) FROM neg_complaints WHERE challenge_id = \(bind: challenge.rawValue) ORDER BY number
            """).all().map(Self.complaint(row:))
    }

    func complaint(_ challenge: ChallengeID, _ number: Int, on db: any SQLDatabase) async throws -> Complaint? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.complaintColumns) FROM neg_complaints
            WHERE challenge_id = \(bind: challenge.rawValue) AND number = \(bind: Int64(number))
            """).first().map(Self.complaint(row:))
    }

    /// The numbers of the complaints against `award` not yet resolved.
    func openComplaints(_ challenge: ChallengeID, award: Int, on db: any SQLDatabase) async throws -> [Int] {
        try await db.raw("""
            SELECT number FROM neg_complaints
            WHERE challenge_id = \(bind: challenge.rawValue) AND award = \(bind: Int64(award)) AND outcome IS NULL ORDER BY number
            """).all().map { try $0.int("number") }
    }

    func insertComplaint(_ complaint: Complaint, by officer: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_complaints (challenge_id, number, award, org, summary, registered_at, registered_by)
            VALUES (\(bind: complaint.challenge.rawValue), \(bind: Int64(complaint.number)), \(bind: Int64(complaint.award)),
                    \(bind: complaint.orgNumber.rawValue), \(bind: complaint.summary), \(bind: complaint.registeredAt.millisecondsSinceEpoch), \(bind: officer))
            """).run()
    }

    /// Records the outcome of a complaint still open; false when it was resolved already.
    func resolve(_ complaint: Complaint, by officer: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_complaints SET outcome = \(bind: complaint.outcome?.rawValue), reason = \(bind: complaint.reason),
                resolved_at = \(bind: complaint.resolvedAt?.millisecondsSinceEpoch), resolved_by = \(bind: officer)
            WHERE challenge_id = \(bind: complaint.challenge.rawValue) AND number = \(bind: Int64(complaint.number)) AND outcome IS NULL
            RETURNING number
            """).first() != nil
    }
}
