import Foundation
import Messages
import SQLKit
import ServiceKit

/// Intake's rows in SQL, the same queries on SQLite and PostgreSQL. Every function takes
/// the connection to run on, so a state change and its outbox event share one transaction.
struct IntakeStore: Sendable {
    let dialect: DatabaseDialect

    /// A challenge row as stored.
    struct ChallengeRow: Sendable {
        var id: ChallengeID
        var status: ChallengeStatus
        var revision: Int
        var terms: ChallengeTerms
        var questionsDeadline: Timestamp
        var applicationDeadline: Timestamp
        var publishedAt: Timestamp?
        var closedAt: Timestamp?
        var rejectedLate: Int
        var summary: IntakeSummary?

        init(row: any SQLRow) throws {
            id = try row.parsed("id", ChallengeID.init)
            status = try row.parsed("status", ChallengeStatus.init(rawValue:))
            revision = try row.int("revision")
            terms = try row.json("terms", as: ChallengeTerms.self)
            questionsDeadline = try row.timestamp("questions_deadline")
            applicationDeadline = try row.timestamp("application_deadline")
            publishedAt = try row.optionalTimestamp("published_at")
            closedAt = try row.optionalTimestamp("closed_at")
            rejectedLate = try row.int("rejected_late")
            summary = try row.decode(column: "summary", as: String?.self).map { try JSONCoding.decoder().decode(IntakeSummary.self, from: Data($0.utf8)) }
        }

        /// The published timeline with every amendment applied.
        var timelineInForce: Timeline {
            var timeline = terms.timeline
            timeline.questionsDeadline = questionsDeadline
            timeline.applicationDeadline = applicationDeadline
            return timeline
        }

        func challenge(amendments: [Amendment]) -> Challenge {
            Challenge(
                id: id, status: status, revision: revision, terms: terms, timeline: timelineInForce,
                amendments: amendments, publishedAt: publishedAt, closedAt: closedAt)
        }
    }

    static let challengeColumns = "id, status, revision, terms, questions_deadline, application_deadline, published_at, closed_at, rejected_late, summary"

    // MARK: Challenges

    /// Inserts a draft; false when the id is taken.
    func insertDraft(_ id: ChallengeID, terms: ChallengeTerms, at now: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO intake_challenges (id, status, revision, terms, questions_deadline, application_deadline, created_at)
            VALUES (\(bind: id.rawValue), \(bind: ChallengeStatus.draft.rawValue), \(bind: Int64(1)), \(bind: try jsonText(terms)),
                    \(bind: terms.timeline.questionsDeadline.millisecondsSinceEpoch), \(bind: terms.timeline.applicationDeadline.millisecondsSinceEpoch),
                    \(bind: now.millisecondsSinceEpoch))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """).first()
        return row != nil
    }

    /// The challenge, locked against concurrent changes until the transaction ends when
    /// `forUpdate` (PostgreSQL row lock; SQLite's `BEGIN IMMEDIATE` already serialises writers).
    func challenge(_ id: ChallengeID, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> ChallengeRow? {
        let lock = forUpdate && dialect == .postgres ? " FOR UPDATE" : ""
        return try await db.raw("SELECT \(unsafeRaw: Self.challengeColumns) FROM intake_challenges WHERE id = \(bind: id.rawValue)\(unsafeRaw: lock)")
            .first().map(ChallengeRow.init(row:))
    }

    /// Challenges in `statuses`, oldest first.
    func challenges(in statuses: [ChallengeStatus], on db: any SQLDatabase) async throws -> [ChallengeRow] {
        guard !statuses.isEmpty else { return [] }
        return try await db.raw("""
            SELECT \(unsafeRaw: Self.challengeColumns) FROM intake_challenges
            WHERE status IN (\(binds: statuses.map(\.rawValue))) ORDER BY seq
            """).all().map(ChallengeRow.init(row:))
    }

    func replaceDraft(_ id: ChallengeID, terms: ChallengeTerms, revision: Int, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_challenges SET terms = \(bind: try jsonText(terms)), revision = \(bind: Int64(revision)),
                questions_deadline = \(bind: terms.timeline.questionsDeadline.millisecondsSinceEpoch),
                application_deadline = \(bind: terms.timeline.applicationDeadline.millisecondsSinceEpoch)
            WHERE id = \(bind: id.rawValue) AND status = \(bind: ChallengeStatus.draft.rawValue)
            """).run()
    }

    func markPublished(_ id: ChallengeID, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_challenges SET status = \(bind: ChallengeStatus.published.rawValue), published_at = \(bind: now.millisecondsSinceEpoch)
            WHERE id = \(bind: id.rawValue) AND status = \(bind: ChallengeStatus.draft.rawValue)
            """).run()
    }

    func setDeadlines(_ id: ChallengeID, _ timeline: Timeline, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_challenges SET questions_deadline = \(bind: timeline.questionsDeadline.millisecondsSinceEpoch),
                application_deadline = \(bind: timeline.applicationDeadline.millisecondsSinceEpoch)
            WHERE id = \(bind: id.rawValue)
            """).run()
    }

    /// Counts a late submission of `org`; true the first time, when it is recorded and
    /// counted (later attempts of the same organisation only raise its `attempts`).
    func countRejectedLate(_ id: ChallengeID, org: OrgNumber, at now: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        let seen = try await db.raw("""
            SELECT attempts FROM intake_late_submissions WHERE challenge_id = \(bind: id.rawValue) AND org = \(bind: org.rawValue)
            """).first()
        if seen != nil {
            try await db.raw("""
                UPDATE intake_late_submissions SET attempts = attempts + 1 WHERE challenge_id = \(bind: id.rawValue) AND org = \(bind: org.rawValue)
                """).run()
            return false
        }
        try await db.raw("""
            INSERT INTO intake_late_submissions (challenge_id, org, first_at, attempts)
            VALUES (\(bind: id.rawValue), \(bind: org.rawValue), \(bind: now.millisecondsSinceEpoch), 1)
            """).run()
        try await db.raw("UPDATE intake_challenges SET rejected_late = rejected_late + 1 WHERE id = \(bind: id.rawValue)").run()
        return true
    }

    /// Closes a published challenge; false when it was no longer published (closed by a
    /// concurrent caller), so exactly one closer records the closing.
    func markClosed(_ id: ChallengeID, summary: IntakeSummary, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE intake_challenges SET status = \(bind: ChallengeStatus.closed.rawValue),
                closed_at = \(bind: summary.closedAt.millisecondsSinceEpoch), summary = \(bind: try jsonText(summary))
            WHERE id = \(bind: id.rawValue) AND status = \(bind: ChallengeStatus.published.rawValue) RETURNING id
            """).first() != nil
    }

    /// Published challenges whose application deadline in force is before `now`.
    func dueForClosing(at now: Timestamp, on db: any SQLDatabase) async throws -> [ChallengeID] {
        try await db.raw("""
            SELECT id FROM intake_challenges
            WHERE status = \(bind: ChallengeStatus.published.rawValue) AND application_deadline < \(bind: now.millisecondsSinceEpoch) ORDER BY seq
            """).all().map { try $0.parsed("id", ChallengeID.init) }
    }

    // MARK: Amendments and notices

    func amendments(of id: ChallengeID, on db: any SQLDatabase) async throws -> [Amendment] {
        try await db.raw("""
            SELECT number, reason, changes, new_application_deadline, new_questions_deadline, published_at, notified
            FROM intake_amendments WHERE challenge_id = \(bind: id.rawValue) ORDER BY number
            """).all().map(Self.amendment(row:))
    }

    static func amendment(row: any SQLRow) throws -> Amendment {
        Amendment(
            number: try row.int("number"), reason: try row.decode(column: "reason", as: String.self),
            changes: try row.decode(column: "changes", as: String.self),
            newApplicationDeadline: try row.optionalTimestamp("new_application_deadline"),
            newQuestionsDeadline: try row.optionalTimestamp("new_questions_deadline"),
            publishedAt: try row.timestamp("published_at"), notified: try row.int("notified"))
    }

    func insertAmendment(_ amendment: Amendment, of id: ChallengeID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO intake_amendments (challenge_id, number, reason, changes, new_application_deadline, new_questions_deadline, published_at, notified)
            VALUES (\(bind: id.rawValue), \(bind: Int64(amendment.number)), \(bind: amendment.reason), \(bind: amendment.changes),
                    \(bind: amendment.newApplicationDeadline?.millisecondsSinceEpoch), \(bind: amendment.newQuestionsDeadline?.millisecondsSinceEpoch),
                    \(bind: amendment.publishedAt.millisecondsSinceEpoch), \(bind: Int64(amendment.notified)))
            """).run()
    }

    func insertNotices(challenge id: ChallengeID, amendment number: Int, to orgs: [OrgNumber], at now: Timestamp, on db: any SQLDatabase) async throws {
        for chunk in stride(from: 0, to: orgs.count, by: 200).map({ orgs[$0..<min($0 + 200, orgs.count)] }) {
            var insert = db.insert(into: "intake_notices").columns("challenge_id", "amendment", "org", "notified_at")
            for org in chunk {
                insert = insert.values(SQLBind(id.rawValue), SQLBind(Int64(number)), SQLBind(org.rawValue), SQLBind(now.millisecondsSinceEpoch))
            }
            try await insert.run()
        }
    }

    func notices(challenge id: ChallengeID, org: OrgNumber, on db: any SQLDatabase) async throws -> [Notice] {
        try await db.raw("""
            SELECT a.number, a.reason, a.changes, a.new_application_deadline, a.new_questions_deadline, a.published_at, a.notified,
                   n.notified_at
            FROM intake_notices n JOIN intake_amendments a ON a.challenge_id = n.challenge_id AND a.number = n.amendment
            WHERE n.challenge_id = \(bind: id.rawValue) AND n.org = \(bind: org.rawValue) ORDER BY a.number
            """).all().map { row in
                Notice(challenge: id, amendment: try Self.amendment(row: row), notifiedAt: try row.timestamp("notified_at"))
            }
    }

    // MARK: Interest

    func interest(challenge id: ChallengeID, org: OrgNumber, on db: any SQLDatabase) async throws -> Interest? {
        try await db.raw("""
            SELECT company_name, registered_at FROM intake_interests WHERE challenge_id = \(bind: id.rawValue) AND org = \(bind: org.rawValue)
            """).first().map { row in
                Interest(challenge: id, orgNumber: org, companyName: try row.decode(column: "company_name", as: String.self), registeredAt: try row.timestamp("registered_at"))
            }
    }

    func insertInterest(_ interest: Interest, contact: Contact, subject: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO intake_interests (challenge_id, org, company_name, contact, subject, registered_at)
            VALUES (\(bind: interest.challenge.rawValue), \(bind: interest.orgNumber.rawValue), \(bind: interest.companyName),
                    \(bind: try jsonText(contact)), \(bind: subject), \(bind: interest.registeredAt.millisecondsSinceEpoch))
            """).run()
    }

    func interestedOrganisations(challenge id: ChallengeID, on db: any SQLDatabase) async throws -> [OrgNumber] {
        try await db.raw("SELECT org FROM intake_interests WHERE challenge_id = \(bind: id.rawValue) ORDER BY seq")
            .all().map { try $0.parsed("org", OrgNumber.init) }
    }
}
