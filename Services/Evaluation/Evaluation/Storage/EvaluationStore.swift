import Foundation
import Messages
import ServiceKit
import SQLKit

/// Evaluation's rows in SQL, the same queries on SQLite and PostgreSQL. Every function takes
/// the connection to run on, so a state change and its outbox event share one transaction.
struct EvaluationStore: Sendable {
    let dialect: DatabaseDialect

    /// An evaluation as stored, without its applications.
    struct EvaluationRow: Sendable {
        var challenge: ChallengeID
        var status: EvaluationStatus
        var terms: EvaluationTerms
        var consensusSpreadHundredths: Int
        var openedAt: Timestamp
        var finalisedAt: Timestamp?
        var result: EvaluationResult?

        init(row: any SQLRow) throws {
            challenge = try row.parsed("challenge_id", ChallengeID.init)
            status = try row.parsed("status", EvaluationStatus.init(rawValue:))
            terms = try row.json("terms", as: EvaluationTerms.self)
            consensusSpreadHundredths = try row.int("consensus_spread")
            openedAt = try row.timestamp("opened_at")
            finalisedAt = try row.optionalTimestamp("finalised_at")
            result = try row.decode(column: "result", as: String?.self).map { try JSONCoding.decoder().decode(EvaluationResult.self, from: Data($0.utf8)) }
        }

        var isFinalised: Bool { status == .finalised }

        /// The ids of the criteria evaluators score.
        var scoredCriteria: [String] { terms.criteria.filter { !$0.isPrice }.map(\.id) }

        func evaluation(applications: [EvaluatedApplication]) -> Evaluation {
            Evaluation(
                challenge: challenge, status: status, terms: terms, applications: applications,
                consensusSpreadHundredths: consensusSpreadHundredths, openedAt: openedAt, finalisedAt: finalisedAt)
        }
    }

    // MARK: Evaluations

    /// Inserts a new evaluation with its applications; false when the challenge already has
    /// one (a concurrent opening won), and then nothing is written.
    func insertEvaluation(_ evaluation: Evaluation, openedBy: String, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await db.raw("""
            INSERT INTO eval_evaluations (challenge_id, status, terms, consensus_spread, opened_at, opened_by)
            VALUES (\(bind: evaluation.challenge.rawValue), \(bind: evaluation.status.rawValue), \(bind: try jsonText(evaluation.terms)),
                    \(bind: Int64(evaluation.consensusSpreadHundredths)), \(bind: evaluation.openedAt.millisecondsSinceEpoch), \(bind: openedBy))
            ON CONFLICT (challenge_id) DO NOTHING RETURNING challenge_id
            """).first() != nil
        guard inserted else { return false }
        let rows = Array(evaluation.applications.enumerated())
        for chunk in stride(from: 0, to: rows.count, by: 200).map({ rows[$0..<min($0 + 200, rows.count)] }) {
            var insert = db.insert(into: "eval_applications")
                .columns("challenge_id", "application_id", "position", "org", "company_name", "price", "vault_ref", "received_at")
            for (position, application) in chunk {
                insert = insert.values(
                    SQLBind(evaluation.challenge.rawValue), SQLBind(application.application.rawValue), SQLBind(Int64(position)),
                    SQLBind(application.orgNumber.rawValue), SQLBind(application.companyName), SQLBind(application.price.ore),
                    SQLBind(application.vaultRef.rawValue), SQLBind(application.receivedAt.millisecondsSinceEpoch))
            }
            try await insert.run()
        }
        return true
    }

    /// The evaluation of `challenge`, locked against concurrent changes until the transaction
    /// ends when `forUpdate` (PostgreSQL row lock; SQLite's `BEGIN IMMEDIATE` already
    /// serialises writers). Every change locks it first, so changes to one evaluation are
    /// serial and each sees the state the previous one left.
    func evaluation(_ challenge: ChallengeID, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> EvaluationRow? {
        let lock = forUpdate && dialect == .postgres ? " FOR UPDATE" : ""
        return try await db.raw("""
            SELECT challenge_id, status, terms, consensus_spread, opened_at, finalised_at, result
            FROM eval_evaluations WHERE challenge_id = \(bind: challenge.rawValue)\(unsafeRaw: lock)
            """).first().map(EvaluationRow.init(row:))
    }

    func applications(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> [EvaluatedApplication] {
        try await db.raw("""
            SELECT application_id, org, company_name, price, vault_ref, received_at FROM eval_applications
            WHERE challenge_id = \(bind: challenge.rawValue) ORDER BY position
            """).all().map(Self.application(row:))
    }

    func application(_ challenge: ChallengeID, _ application: ApplicationID, on db: any SQLDatabase) async throws -> EvaluatedApplication? {
        try await db.raw("""
            SELECT application_id, org, company_name, price, vault_ref, received_at FROM eval_applications
            WHERE challenge_id = \(bind: challenge.rawValue) AND application_id = \(bind: application.rawValue)
            """).first().map(Self.application(row:))
    }

    func application(_ challenge: ChallengeID, org: OrgNumber, on db: any SQLDatabase) async throws -> EvaluatedApplication? {
        try await db.raw("""
            SELECT application_id, org, company_name, price, vault_ref, received_at FROM eval_applications
            WHERE challenge_id = \(bind: challenge.rawValue) AND org = \(bind: org.rawValue)
            """).first().map(Self.application(row:))
    }

    static func application(row: any SQLRow) throws -> EvaluatedApplication {
        EvaluatedApplication(
            application: try row.parsed("application_id", ApplicationID.init), orgNumber: try row.parsed("org", OrgNumber.init),
            companyName: try row.string("company_name"), price: Money(ore: try row.decode(column: "price", as: Int64.self)),
            vaultRef: try row.parsed("vault_ref", VaultRef.init), receivedAt: try row.timestamp("received_at"))
    }

    /// Stores the result; the evaluation is final from this commit on.
    func markFinalised(_ challenge: ChallengeID, result: EvaluationResult, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE eval_evaluations SET status = \(bind: EvaluationStatus.finalised.rawValue),
                finalised_at = \(bind: result.finalisedAt.millisecondsSinceEpoch), result = \(bind: try jsonText(result))
            WHERE challenge_id = \(bind: challenge.rawValue)
            """).run()
    }

    // MARK: Grants

    /// Keeps a note of a grant issued (its id, never the token), for audit against the
    /// Vault's access log.
    func insertGrant(_ grant: AccessGrant, challenge: ChallengeID, application: ApplicationID, evaluator: String, issuedAt: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO eval_grants (grant_id, challenge_id, application_id, evaluator, vault_ref, issued_at, expires_at)
            VALUES (\(bind: grant.grantID.rawValue), \(bind: challenge.rawValue), \(bind: application.rawValue), \(bind: evaluator),
                    \(bind: grant.ref.rawValue), \(bind: issuedAt.millisecondsSinceEpoch), \(bind: grant.expiresAt.millisecondsSinceEpoch))
            """).run()
    }
}
