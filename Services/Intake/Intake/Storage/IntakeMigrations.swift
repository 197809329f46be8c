import Foundation
import Messages
public import ServiceKit
import SQLKit

/// Intake's tables. Times are milliseconds since the epoch (BIGINT); structured values
/// (terms, a public part, a contact) are canonical JSON text. `seq` columns keep the order
/// things arrived in, which lists follow.
///
/// Confidential content has no column anywhere: an application holds the Vault reference
/// and the salted commitment only (DESIGN.md §4). `applicant_salt` seals who applied until
/// the closing; the name sealed is the company name of version 1 (in
/// `intake_application_versions`).
public enum IntakeMigrations {
    public static let component = "intake"

    public static let all: [Migration] = [
        Migration(version: 1, name: "challenges, interest, questions, applications") { db, dialect in
            let serial = dialect.serialPrimaryKey
            let statements = [
                """
                CREATE TABLE intake_challenges (
                    seq \(serial), id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, revision BIGINT NOT NULL,
                    terms TEXT NOT NULL, questions_deadline BIGINT NOT NULL, application_deadline BIGINT NOT NULL,
                    created_at BIGINT NOT NULL, published_at BIGINT, closed_at BIGINT,
                    rejected_late BIGINT NOT NULL DEFAULT 0, summary TEXT)
                """,
                "CREATE INDEX intake_challenges_due ON intake_challenges (status, application_deadline)",
                """
                CREATE TABLE intake_amendments (
                    challenge_id TEXT NOT NULL, number BIGINT NOT NULL, reason TEXT NOT NULL, changes TEXT NOT NULL,
                    new_application_deadline BIGINT, new_questions_deadline BIGINT, published_at BIGINT NOT NULL,
                    notified BIGINT NOT NULL, PRIMARY KEY (challenge_id, number))
                """,
                """
                CREATE TABLE intake_interests (
                    seq \(serial), challenge_id TEXT NOT NULL, org TEXT NOT NULL, company_name TEXT NOT NULL,
                    contact TEXT NOT NULL, subject TEXT NOT NULL, registered_at BIGINT NOT NULL, UNIQUE (challenge_id, org))
                """,
                """
                CREATE TABLE intake_notices (
                    challenge_id TEXT NOT NULL, amendment BIGINT NOT NULL, org TEXT NOT NULL, notified_at BIGINT NOT NULL,
                    PRIMARY KEY (challenge_id, org, amendment))
                """,
                """
                CREATE TABLE intake_questions (
                    seq \(serial), id TEXT NOT NULL UNIQUE, challenge_id TEXT NOT NULL,
                    asker_org TEXT NOT NULL, asker_subject TEXT NOT NULL, question TEXT NOT NULL,
                    published_question TEXT, answer TEXT, number BIGINT, asked_at BIGINT NOT NULL, answered_at BIGINT,
                    UNIQUE (challenge_id, number))
                """,
                """
                CREATE TABLE intake_applications (
                    seq \(serial), id TEXT NOT NULL UNIQUE, challenge_id TEXT NOT NULL, org TEXT NOT NULL,
                    status TEXT NOT NULL, public_part TEXT NOT NULL, version BIGINT NOT NULL,
                    commitment TEXT NOT NULL, salt TEXT NOT NULL, vault_ref TEXT NOT NULL, digest TEXT NOT NULL,
                    received_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, withdrawn_at BIGINT,
                    UNIQUE (challenge_id, org))
                """,
                """
                CREATE TABLE intake_application_versions (
                    application_id TEXT NOT NULL, version BIGINT NOT NULL, public_part TEXT NOT NULL,
                    commitment TEXT NOT NULL, salt TEXT NOT NULL, vault_ref TEXT NOT NULL, digest TEXT NOT NULL,
                    received_at BIGINT NOT NULL, PRIMARY KEY (application_id, version))
                """,
            ]
            for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
        },
        Migration(version: 2, name: "late submissions, once per organisation") { db, _ in
            try await db.raw("""
                CREATE TABLE intake_late_submissions (
                    challenge_id TEXT NOT NULL, org TEXT NOT NULL, first_at BIGINT NOT NULL, attempts BIGINT NOT NULL,
                    PRIMARY KEY (challenge_id, org))
                """).run()
        },
        // The salt that seals who applied until the closing opens it (``SealedApplicant``);
        // base64 of 32 random bytes. Applications received before this version get one now.
        Migration(version: 3, name: "applicant salts, sealed until the deadline") { db, _ in
            try await db.raw("ALTER TABLE intake_applications ADD COLUMN applicant_salt TEXT").run()
            for row in try await db.raw("SELECT id FROM intake_applications WHERE applicant_salt IS NULL").all() {
                let id = try row.decode(column: "id", as: String.self)
                let salt = Data(SealedApplicant.newSalt()).base64EncodedString()
                try await db.raw("UPDATE intake_applications SET applicant_salt = \(bind: salt) WHERE id = \(bind: id)").run()
            }
        },
    ]
}
