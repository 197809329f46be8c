public import ServiceKit
import Foundation
import SQLKit

/// The Vault's tables (DESIGN.md §4). Only ciphertext and wrapped keys are stored: content
/// under its data key, each data key under a key-encryption key the database never sees.
///
/// - `vault_data_keys`: one data key per (owner, challenge). `data_key_version` numbers an
///   owner's keys (unique per owner, bound into the wrapping); `wrapped` is the key sealed
///   with KEK `kek_version`, base64, and NULL once shredded (`shredded_at`).
/// - `vault_deposits`: the sealed content by ref, its salted commitment and who deposited;
///   `author_subject`/`author_role` name the officer or negotiator who wrote it for the owner
///   (both NULL for the owner's own deposits).
/// - `vault_accesses`: every read, written before the plaintext leaves.
/// - `vault_shreds`: the facts of each shred, so repeating one returns them unchanged.
public enum VaultMigrations {
    public static let component = "vault"

    public static let all: [Migration] = [
        Migration(version: 1, name: "vault") { db, dialect in
            for statement in [
                """
                CREATE TABLE vault_data_keys (
                    owner TEXT NOT NULL, challenge TEXT NOT NULL, data_key_version BIGINT NOT NULL,
                    kek_version BIGINT NOT NULL, wrapped TEXT, created_at BIGINT NOT NULL, shredded_at BIGINT,
                    PRIMARY KEY (owner, challenge), UNIQUE (owner, data_key_version))
                """,
                "CREATE INDEX vault_data_keys_kek ON vault_data_keys (kek_version)",
                """
                CREATE TABLE vault_deposits (
                    ref TEXT PRIMARY KEY, owner TEXT NOT NULL, challenge TEXT NOT NULL, field TEXT NOT NULL,
                    media_type TEXT NOT NULL, ciphertext TEXT NOT NULL, commitment TEXT NOT NULL, salt TEXT NOT NULL,
                    data_key_version BIGINT NOT NULL, deposited_at BIGINT NOT NULL, depositor TEXT NOT NULL)
                """,
                "CREATE INDEX vault_deposits_owner ON vault_deposits (owner, challenge)",
                """
                CREATE TABLE vault_accesses (
                    seq \(dialect.serialPrimaryKey), access_id TEXT NOT NULL UNIQUE, ref TEXT NOT NULL,
                    owner TEXT NOT NULL, challenge TEXT NOT NULL, field TEXT NOT NULL, reader_subject TEXT NOT NULL,
                    reader_role TEXT NOT NULL, issuer TEXT NOT NULL, purpose TEXT NOT NULL, grant_id TEXT NOT NULL,
                    accessed_at BIGINT NOT NULL)
                """,
                "CREATE INDEX vault_accesses_owner ON vault_accesses (owner, seq)",
                """
                CREATE TABLE vault_shreds (
                    owner TEXT NOT NULL, challenge TEXT NOT NULL, shredded_at BIGINT NOT NULL, refs BIGINT NOT NULL,
                    reason TEXT NOT NULL, actor_subject TEXT NOT NULL, actor_role TEXT NOT NULL, event_id TEXT NOT NULL,
                    PRIMARY KEY (owner, challenge))
                """,
            ] {
                try await db.raw(SQLQueryString(statement)).run()
            }
        },
        Migration(version: 2, name: "shred owner salt") { db, _ in
            // The recorded shred seals its owner; existing rows get a salt of their own.
            try await db.raw("ALTER TABLE vault_shreds ADD COLUMN owner_salt TEXT").run()
            for row in try await db.raw("SELECT owner, challenge FROM vault_shreds").all() {
                let salt = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                try await db.raw("""
                    UPDATE vault_shreds SET owner_salt = \(bind: salt)
                    WHERE owner = \(bind: try row.decode(column: "owner", as: String.self)) AND challenge = \(bind: try row.decode(column: "challenge", as: String.self))
                    """).run()
            }
        },
        Migration(version: 3, name: "deposit author") { db, _ in
            // Officers and negotiators deposit for a startup in its dialogue; earlier deposits
            // are all the owner's own, so NULL is right for every existing row.
            try await db.raw("ALTER TABLE vault_deposits ADD COLUMN author_subject TEXT").run()
            try await db.raw("ALTER TABLE vault_deposits ADD COLUMN author_role TEXT").run()
        },
    ]
}
