public import ServiceKit
import SQLKit

/// Evaluation's tables. Times are milliseconds since the epoch (BIGINT), money is øre
/// (BIGINT), booleans are 0/1 (BIGINT); structured values (terms, a sheet's scores, the
/// final result) are canonical JSON text. The same statements serve SQLite and PostgreSQL.
///
/// Nothing confidential has a column: an application is held by its public part from Intake
/// and its Vault reference (DESIGN.md §4); a grant is kept by its id, never its token (and
/// `RequestAccess` is idempotent, so the idempotency store never keeps its answer either).
public enum EvaluationMigrations {
    public static let component = "evaluation"

    public static let all: [Migration] = [
        Migration(version: 1, name: "evaluations, applications, panel, sheets, consensus, grants", statements: [
            """
            CREATE TABLE eval_evaluations (
                challenge_id TEXT PRIMARY KEY, status TEXT NOT NULL, terms TEXT NOT NULL, consensus_spread BIGINT NOT NULL,
                opened_at BIGINT NOT NULL, opened_by TEXT NOT NULL, finalised_at BIGINT, result TEXT)
            """,
            """
            CREATE TABLE eval_applications (
                challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, position BIGINT NOT NULL, org TEXT NOT NULL,
                company_name TEXT NOT NULL, price BIGINT NOT NULL, vault_ref TEXT NOT NULL, received_at BIGINT NOT NULL,
                PRIMARY KEY (challenge_id, application_id))
            """,
            "CREATE INDEX eval_applications_org ON eval_applications (challenge_id, org)",
            """
            CREATE TABLE eval_assignments (
                challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, evaluator TEXT NOT NULL,
                assigned_at BIGINT NOT NULL, assigned_by TEXT NOT NULL,
                declaration TEXT, ground TEXT, declared_at BIGINT,
                PRIMARY KEY (challenge_id, application_id, evaluator))
            """,
            """
            CREATE TABLE eval_sheets (
                challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, evaluator TEXT NOT NULL,
                scores TEXT NOT NULL, done BIGINT NOT NULL, revision BIGINT NOT NULL, updated_at BIGINT NOT NULL, digest TEXT NOT NULL,
                PRIMARY KEY (challenge_id, application_id, evaluator))
            """,
            """
            CREATE TABLE eval_consensus (
                challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, criterion TEXT NOT NULL, hundredths BIGINT NOT NULL,
                reason TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL,
                PRIMARY KEY (challenge_id, application_id, criterion))
            """,
            """
            CREATE TABLE eval_grants (
                grant_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, evaluator TEXT NOT NULL,
                vault_ref TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
            """,
        ]),
        // An assignment ended by `RemoveEvaluator` keeps its row, so the pair cannot be
        // assigned again and the removal stays on file beside the record's `evaluator.removed`.
        Migration(version: 2, name: "removed assignments", statements: [
            "ALTER TABLE eval_assignments ADD COLUMN removed_at BIGINT",
            "ALTER TABLE eval_assignments ADD COLUMN removed_by TEXT",
            "ALTER TABLE eval_assignments ADD COLUMN removal_reason TEXT",
        ]),
    ]
}
