public import ServiceKit
import SQLKit

/// Negotiation's tables. Times are milliseconds since the epoch (BIGINT), money is øre
/// (BIGINT); structured values (negotiators, metrics, a pilot's result and decision, a
/// dialogue's outcome, an award's decisions) are canonical JSON text. The same statements
/// serve SQLite and PostgreSQL.
///
/// Nothing confidential has a column (DESIGN.md §4): messages, minutes, offers and pilot
/// reports are held by their Vault ref and the digest of their salted commitment, a pilot's
/// measured values are compared with the thresholds and dropped, and a grant is kept by its
/// id, never its token.
public enum NegotiationMigrations {
    public static let component = "negotiation"

    public static let all: [Migration] = [
        Migration(version: 1, name: "challenges, dialogues, rounds, messages, offers, pilots, notices, awards, complaints, grants", statements: [
            // One row per challenge whose dialogues were opened: the lock every change of the
            // challenge takes first, and what makes opening happen once.
            "CREATE TABLE neg_challenges (challenge_id TEXT PRIMARY KEY, opened_at BIGINT NOT NULL, opened_by TEXT NOT NULL)",
            """
            CREATE TABLE neg_dialogues (
                dialogue_id TEXT PRIMARY KEY, challenge_id TEXT NOT NULL, application_id TEXT NOT NULL, org TEXT NOT NULL,
                company_name TEXT NOT NULL, rank BIGINT NOT NULL, application_ref TEXT NOT NULL, status TEXT NOT NULL,
                negotiators TEXT NOT NULL, outcome TEXT, end_reason TEXT, opened_at BIGINT NOT NULL,
                UNIQUE (challenge_id, application_id))
            """,
            "CREATE INDEX neg_dialogues_challenge ON neg_dialogues (challenge_id, rank)",
            // Every Vault ref a dialogue holds (its application, messages, minutes, offers,
            // pilot reports): a ref is used once, and grants are issued only for these.
            """
            CREATE TABLE neg_refs (
                dialogue_id TEXT NOT NULL, ref TEXT NOT NULL, kind TEXT NOT NULL, added_at BIGINT NOT NULL,
                PRIMARY KEY (dialogue_id, ref))
            """,
            """
            CREATE TABLE neg_rounds (
                dialogue_id TEXT NOT NULL, number BIGINT NOT NULL, scheduled_at BIGINT NOT NULL, offer_deadline BIGINT,
                agenda TEXT NOT NULL, held_at BIGINT, attendance TEXT, minutes_ref TEXT, minutes_commitment TEXT,
                PRIMARY KEY (dialogue_id, number))
            """,
            """
            CREATE TABLE neg_messages (
                dialogue_id TEXT NOT NULL, number BIGINT NOT NULL, from_subject TEXT NOT NULL, from_role TEXT NOT NULL,
                ref TEXT NOT NULL, commitment TEXT NOT NULL, sent_at BIGINT NOT NULL,
                PRIMARY KEY (dialogue_id, number))
            """,
            """
            CREATE TABLE neg_offers (
                dialogue_id TEXT NOT NULL, version BIGINT NOT NULL, ref TEXT NOT NULL, commitment TEXT NOT NULL,
                submitted_at BIGINT NOT NULL,
                PRIMARY KEY (dialogue_id, version))
            """,
            """
            CREATE TABLE neg_pilots (
                dialogue_id TEXT NOT NULL, number BIGINT NOT NULL, hypothesis TEXT NOT NULL, metrics TEXT NOT NULL,
                duration_days BIGINT NOT NULL, budget_cap BIGINT NOT NULL, defined_at BIGINT NOT NULL, defined_by TEXT NOT NULL,
                result TEXT, decision TEXT,
                PRIMARY KEY (dialogue_id, number))
            """,
            """
            CREATE TABLE neg_clarifications (
                challenge_id TEXT NOT NULL, number BIGINT NOT NULL, text TEXT NOT NULL, digest TEXT NOT NULL,
                sent_at BIGINT NOT NULL, sent_by TEXT NOT NULL,
                PRIMARY KEY (challenge_id, number))
            """,
            """
            CREATE TABLE neg_awards (
                challenge_id TEXT NOT NULL, number BIGINT NOT NULL, decisions TEXT NOT NULL, decided_at BIGINT NOT NULL,
                decided_by TEXT NOT NULL, standstill_start BIGINT NOT NULL, standstill_end BIGINT NOT NULL, status TEXT NOT NULL,
                notice TEXT NOT NULL, notice_digest TEXT NOT NULL,
                PRIMARY KEY (challenge_id, number))
            """,
            "CREATE INDEX neg_awards_status ON neg_awards (status, standstill_end)",
            // A clarification or an award notice delivered to one dialogue; the text is the
            // clarification's or the award's, so every recipient reads the same.
            """
            CREATE TABLE neg_notices (
                dialogue_id TEXT NOT NULL, kind TEXT NOT NULL, number BIGINT NOT NULL, delivered_at BIGINT NOT NULL,
                PRIMARY KEY (dialogue_id, kind, number))
            """,
            """
            CREATE TABLE neg_complaints (
                challenge_id TEXT NOT NULL, number BIGINT NOT NULL, award BIGINT NOT NULL, org TEXT NOT NULL, summary TEXT NOT NULL,
                registered_at BIGINT NOT NULL, registered_by TEXT NOT NULL, outcome TEXT, reason TEXT, resolved_at BIGINT, resolved_by TEXT,
                PRIMARY KEY (challenge_id, number))
            """,
            """
            CREATE TABLE neg_grants (
                grant_id TEXT PRIMARY KEY, dialogue_id TEXT NOT NULL, vault_ref TEXT NOT NULL, subject TEXT NOT NULL, role TEXT NOT NULL,
                issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
            """,
        ]),
    ]
}
