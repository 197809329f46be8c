import Foundation
import Messages
import SQLKit
import ServiceKit

extension EvaluationStore {
    /// One assignment of an evaluator to an application, with the declaration made for it.
    struct AssignmentRow: Sendable, Hashable {
        var application: ApplicationID
        var evaluator: String
        var declaration: DeclarationKind?
        var ground: String?
        var declaredAt: Timestamp?
        /// When an officer ended the assignment (`RemoveEvaluator`); nil while it stands.
        var removedAt: Timestamp?

        init(row: any SQLRow) throws {
            application = try row.parsed("application_id", ApplicationID.init)
            evaluator = try row.string("evaluator")
            declaration = try row.decode(column: "declaration", as: String?.self).map { text in
                guard let kind = DeclarationKind(rawValue: text) else { throw RPCError(.dataLoss, "stored declaration is malformed") }
                return kind
            }
            ground = try row.decode(column: "ground", as: String?.self)
            declaredAt = try row.optionalTimestamp("declared_at")
            removedAt = try row.optionalTimestamp("removed_at")
        }
    }

    /// Every standing (not removed) assignment of `challenge`, by application position then
    /// evaluator.
    func assignments(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [AssignmentRow] {
        try await db.raw("""
            SELECT s.application_id, s.evaluator, s.declaration, s.ground, s.declared_at, s.removed_at
            FROM eval_assignments s JOIN eval_applications a ON a.challenge_id = s.challenge_id AND a.application_id = s.application_id
            WHERE s.challenge_id = \(bind: challenge.rawValue) AND s.removed_at IS NULL ORDER BY a.position, s.evaluator
            """).all().map(AssignmentRow.init(row:))
    }

    /// The assignment of `evaluator` to `application`, also when it was removed.
    func assignment(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, on db: any SQLDatabase) async throws -> AssignmentRow? {
        try await db.raw("""
            SELECT application_id, evaluator, declaration, ground, declared_at, removed_at FROM eval_assignments
            WHERE challenge_id = \(bind: challenge.rawValue) AND application_id = \(bind: application.rawValue) AND evaluator = \(bind: evaluator)
            """).first().map(AssignmentRow.init(row:))
    }

    /// Whether `evaluator` has a standing assignment to any application of `challenge`.
    func isAssigned(_ challenge: ChallengeID, evaluator: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            SELECT evaluator FROM eval_assignments
            WHERE challenge_id = \(bind: challenge.rawValue) AND evaluator = \(bind: evaluator) AND removed_at IS NULL LIMIT 1
            """).first() != nil
    }

    /// An (application, evaluator) pair.
    struct Pair: Hashable, Sendable {
        var application: ApplicationID
        var evaluator: String
    }

    /// The pairs of `challenge` whose assignment was removed.
    func removedPairs(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> Set<Pair> {
        Set(try await db.raw("""
            SELECT application_id, evaluator FROM eval_assignments
            WHERE challenge_id = \(bind: challenge.rawValue) AND removed_at IS NOT NULL
            """).all().map { Pair(application: try $0.parsed("application_id", ApplicationID.init), evaluator: try $0.string("evaluator")) })
    }

    /// Adds the assignment; false when it existed already (standing or removed).
    func insertAssignment(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, by officer: String, at time: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO eval_assignments (challenge_id, application_id, evaluator, assigned_at, assigned_by)
            VALUES (\(bind: challenge.rawValue), \(bind: application.rawValue), \(bind: evaluator), \(bind: time.millisecondsSinceEpoch), \(bind: officer))
            ON CONFLICT (challenge_id, application_id, evaluator) DO NOTHING RETURNING evaluator
            """).first() != nil
    }

    /// Writes the declaration on the standing assignment, replacing an earlier one (the
    /// service allows only a conflict after impartiality).
    func setDeclaration(_ declaration: Declaration, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE eval_assignments SET declaration = \(bind: declaration.kind.rawValue), ground = \(bind: declaration.ground),
                declared_at = \(bind: declaration.declaredAt.millisecondsSinceEpoch)
            WHERE challenge_id = \(bind: declaration.challenge.rawValue) AND application_id = \(bind: declaration.application.rawValue)
                AND evaluator = \(bind: declaration.evaluator) AND removed_at IS NULL
            """).run()
    }

    /// Ends the assignment; its row stays, with who removed it, when and why.
    func removeAssignment(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, by officer: String, reason: String, at time: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE eval_assignments SET removed_at = \(bind: time.millisecondsSinceEpoch), removed_by = \(bind: officer), removal_reason = \(bind: reason)
            WHERE challenge_id = \(bind: challenge.rawValue) AND application_id = \(bind: application.rawValue)
                AND evaluator = \(bind: evaluator) AND removed_at IS NULL
            """).run()
    }

    // MARK: The panel as the rules see it

    /// Each application's panel (in application order), from its standing assignments, their
    /// sheets and the consensus — one application's when `application` is given. A removed
    /// evaluator is not on it.
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
