public import ServiceKit

/// The record's tables: entries (the exact leaf bytes), the perfect-subtree hashes, and
/// every signed checkpoint.
public enum RecordsMigrations {
    public static let component = "records"

    public static let all: [Migration] = [
        Migration(version: 1, name: "log", statements: [
            """
            CREATE TABLE record_entries (
                idx BIGINT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, challenge_id TEXT NOT NULL,
                event_type TEXT NOT NULL, leaf TEXT NOT NULL, leaf_hash TEXT NOT NULL, appended_at BIGINT NOT NULL)
            """,
            "CREATE INDEX record_entries_challenge ON record_entries (challenge_id, idx)",
            "CREATE INDEX record_entries_leaf_hash ON record_entries (leaf_hash)",
            "CREATE TABLE record_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, idx))",
            "CREATE TABLE record_checkpoints (size BIGINT PRIMARY KEY, root TEXT NOT NULL, note TEXT NOT NULL, signed_at BIGINT NOT NULL)",
        ]),
    ]
}
