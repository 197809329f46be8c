import Foundation
import Messages
import SQLKit
import ServiceKit

/// Score sheets and the consensus recorded.
extension EvaluationStore {
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

    /// Discards the evaluator's sheet for the application (the service calls it only for a
    /// sheet that is not done).
    func deleteSheet(_ challenge: ChallengeID, _ application: ApplicationID, evaluator: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM eval_sheets
            WHERE challenge_id = \(bind: challenge.rawValue) AND application_id = \(bind: application.rawValue) AND evaluator = \(bind: evaluator)
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
}
