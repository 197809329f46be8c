import Foundation
import Messages
import SQLKit

extension EvaluationStore {
    /// One assignment of an evaluator to an application, with the declaration made for it.
    struct AssignmentRow: Sendable, Hashable {
        var application: ApplicationID
        var evaluator: String
        var declaration: DeclarationKind?
        var ground: String?
        var declaredAt: Timestamp?

        init(row: any SQLRow) throws {
            application = try row.parsed("application_id", ApplicationID.init)
            evaluator = try row.string("evaluator")
            declaration = try row.decode(column: "declaration", as: String?.self).map { text in
                guard let kind = DeclarationKind(rawValue: text) else { throw RPCError(.dataLoss, "stored declaration is malformed") }
                return kind
            }
            ground = try row.decode(column: "ground", as: String?.self)
            declaredAt = try row.optionalTimestamp("declared_at")
        }
    }

    static let assignmentColumns = "application_id, evaluator, declaration, ground, declared_at"

    /// Every assignment of `challenge`, by application position then evaluator.
    func assignments(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [AssignmentRow] {
        try await db.raw("""
            SELECT s.application_id, s.evaluator, s.declaration, s.ground, s.declared_at
            FROM eval_assignments s JOIN eval_applications a ON a.challenge_id = s.challenge_id AND a.application_id = s.application_id
            WHERE s.challenge_id = \(bind: challenge.rawValue) ORDER BY a.position, s.evaluator
            """).all().map(AssignmentRow.init(row:))
    }

    func assignment(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, on db: any SQLDatabase) async throws -> AssignmentRow? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.assignmentColumns) FROM eval_assignments
            WHERE challenge_id = \(bind: challenge.rawValue) AND application_id = \(bind: application.rawValue) AND evaluator = \(bind: evaluator)
            """).first().map(AssignmentRow.init(row:))
    }

    /// Adds the assignment; false when it existed already.
    func insertAssignment(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, by officer: String, at time: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO eval_assignments (challenge_id, application_id, evaluator, assigned_at, assigned_by)
            VALUES (\(bind: challenge.rawValue), \(bind: application.rawValue), \(bind: evaluator), \(bind: time.millisecondsSinceEpoch), \(bind: officer))
            ON CONFLICT (challenge_id, application_id, evaluator) DO NOTHING RETURNING evaluator
            """).first() != nil
    }

    func setDeclaration(_ declaration: Declaration, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE eval_assignments SET declaration = \(bind: declaration.kind.rawValue), ground = \(bind: declaration.ground),
                declared_at = \(bind: declaration.declaredAt.millisecondsSinceEpoch)
            WHERE challenge_id = \(bind: declaration.challenge.rawValue) AND application_id = \(bind: declaration.application.rawValue)
                AND evaluator = \(bind: declaration.evaluator) AND declaration IS NULL
            """).run()
    }

    // MARK: Sheets

    /// Sheets of `challenge`, optionally of one application and/or one evaluator, by
    /// application position then evaluator.
    func sheets(_ challenge: ChallengeID, application: ApplicationID? = nil, evaluator: String? = nil, onlyDone: Bool = false, on db: any SQLDatabase) async throws -> [ScoreSheet] {
        var query = SQLQueryString("""
            SELECT s.application_id, s.evaluator, s.scores, s.done, s.revision, s.updated_at, s.digest
            FROM eval_sheets s JOIN eval_applications a ON a.challenge_id = s.challenge_id AND a.application_id = s.application_id
            WHERE s.challenge_id = \(bind: challenge.rawValue)
            """)
        if let application { query.appendInterpolation(unsafeRaw: " AND s.application_id = "); query.appendInterpolation(bind: application.rawValue) }
        if let evaluator { query.appendInterpolation(unsafeRaw: " AND s.evaluator = "); query.appendInterpolation(bind: evaluator) }
        if onlyDone { query.appendInterpolation(unsafeRaw: " AND s.done = 1") }
        query.appendInterpolation(unsafeRaw: " ORDER BY a.position, s.evaluator")
        return try await db.raw(query).all().map { row in
            ScoreSheet(
                challenge: challenge, application: try row.parsed("application_id", ApplicationID.init), evaluator: try row.string("evaluator"),
                scores: try row.json("scores", as: [CriterionScoreInput].self), done: try row.int("done") == 1, revision: try row.int("revision"),
                updatedAt: try row.timestamp("updated_at"), digest: try row.parsed("digest", Digest.init))
        }
    }

    /// Writes the sheet, replacing the evaluator's earlier one for the application.
    func saveSheet(_ sheet: ScoreSheet, on db: any SQLDatabase) async throws {
        let scores = try jsonText(sheet.scores)
        try await db.raw("""
            INSERT INTO eval_sheets (challenge_id, application_id, evaluator, scores, done, revision, updated_at, digest)
            VALUES (\(bind: sheet.challenge.rawValue), \(bind: sheet.application.rawValue), \(bind: sheet.evaluator), \(bind: scores),
                    \(bind: Int64(sheet.done ? 1 : 0)), \(bind: Int64(sheet.revision)), \(bind: sheet.updatedAt.millisecondsSinceEpoch), \(bind: sheet.digest.description))
            ON CONFLICT (challenge_id, application_id, evaluator) DO UPDATE SET
                scores = excluded.scores, done = excluded.done, revision = excluded.revision, updated_at = excluded.updated_at, digest = excluded.digest
            """).run()
    }

    // MARK: Consensus

    func consensus(_ challenge: ChallengeID, application: ApplicationID? = nil, on db: any SQLDatabase) async throws -> [Consensus] {
        var query = SQLQueryString("""
            SELECT c.application_id, c.criterion, c.hundredths, c.reason, c.recorded_by, c.recorded_at
            FROM eval_consensus c JOIN eval_applications a ON a.challenge_id = c.challenge_id AND a.application_id = c.application_id
            WHERE c.challenge_id = \(bind: challenge.rawValue)
            """)
        if let application { query.appendInterpolation(unsafeRaw: " AND c.application_id = "); query.appendInterpolation(bind: application.rawValue) }
        query.appendInterpolation(unsafeRaw: " ORDER BY a.position, c.criterion")
        return try await db.raw(query).all().map { row in
            Consensus(
                application: try row.parsed("application_id", ApplicationID.init), criterion: try row.string("criterion"),
                hundredths: try row.int("hundredths"), reason: try row.string("reason"), recordedBy: try row.string("recorded_by"),
                recordedAt: try row.timestamp("recorded_at"))
        }
    }

    /// Records the consensus, replacing an earlier one for the same criterion.
    func saveConsensus(_ consensus: Consensus, challenge: ChallengeID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO eval_consensus (challenge_id, application_id, criterion, hundredths, reason, recorded_by, recorded_at)
            VALUES (\(bind: challenge.rawValue), \(bind: consensus.application.rawValue), \(bind: consensus.criterion), \(bind: Int64(consensus.hundredths)),
                    \(bind: consensus.reason), \(bind: consensus.recordedBy), \(bind: consensus.recordedAt.millisecondsSinceEpoch))
            ON CONFLICT (challenge_id, application_id, criterion) DO UPDATE SET
                hundredths = excluded.hundredths, reason = excluded.reason, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
            """).run()
    }

    // MARK: The panel as the rules see it

    /// Each application's panel (in application order), from its assignments, sheets and
    /// consensus — one application's when `application` is given.
    func panels(_ challenge: ChallengeID, application: ApplicationID? = nil, on db: any SQLDatabase) async throws -> [ApplicationID: ApplicationPanel] {
        let assignments = try await self.assignments(challenge, on: db).filter { application == nil || $0.application == application }
        let sheets = try await self.sheets(challenge, application: application, on: db)
        let consensus = try await self.consensus(challenge, application: application, on: db)
        var sheetOf: [ApplicationID: [String: ScoreSheet]] = [:]
        for sheet in sheets { sheetOf[sheet.application, default: [:]][sheet.evaluator] = sheet }
        var panels: [ApplicationID: ApplicationPanel] = [:]
        for assignment in assignments {
            let sheet = sheetOf[assignment.application]?[assignment.evaluator]
            let points = sheet.map { Dictionary($0.scores.map { ($0.criterion, $0.points) }, uniquingKeysWith: { first, _ in first }) }
            panels[assignment.application, default: ApplicationPanel(seats: [], consensus: [:])].seats.append(
                ApplicationPanel.Seat(evaluator: assignment.evaluator, declaration: assignment.declaration, sheet: sheet.map { ($0.done, points ?? [:]) }))
        }
        for agreed in consensus { panels[agreed.application, default: ApplicationPanel(seats: [], consensus: [:])].consensus[agreed.criterion] = agreed.hundredths }
        return panels
    }
}
