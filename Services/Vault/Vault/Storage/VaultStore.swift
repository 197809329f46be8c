import Foundation
import Messages
import SQLKit
public import ServiceKit

/// The Vault's rows in SQL (SQLite or PostgreSQL). Binary values are stored as base64 text,
/// times as milliseconds since the epoch.
///
/// Methods that take `on:` run on the caller's transaction; the handlers decide what goes
/// into one transaction.
public struct VaultStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Applies the Vault's migrations and, on SQLite, turns on `secure_delete`, so a
    /// shredded key's bytes are overwritten with zeros instead of lingering in free space.
    public static func open(_ database: Database) async throws -> VaultStore {
        try await database.migrate(component: VaultMigrations.component, VaultMigrations.all)
        if database.dialect == .sqlite {
            try await database.sql.raw("PRAGMA secure_delete = ON").run()
        }
        return VaultStore(database: database)
    }

    /// Serialises writers of one owner's keys on PostgreSQL (deposit against shred, two
    /// first deposits); SQLite's `BEGIN IMMEDIATE` already serialises every writer.
    func lock(owner: OrgNumber, on tx: any SQLDatabase) async throws {
        guard database.dialect == .postgres, let number = Int32(owner.rawValue) else { return }
        try await tx.raw("SELECT pg_advisory_xact_lock(\(bind: Int32(7300)), \(bind: number))").run()
    }

    // MARK: Data keys

    struct DataKeyRow: Sendable {
        var owner: OrgNumber
        var challenge: String
        var dataKeyVersion: Int
        var kekVersion: Int
        /// Nil once shredded.
        var wrapped: Data?
        var shreddedAt: Int64?

        var wrappedKey: WrappedDataKey? {
            wrapped.map { WrappedDataKey(owner: owner, dataKeyVersion: dataKeyVersion, kekVersion: kekVersion, sealed: $0) }
        }
    }

    /// How a read holds a data key's row on PostgreSQL until its transaction ends (SQLite's
    /// `BEGIN IMMEDIATE` already holds the whole database).
    enum RowLock: String {
        case none = ""
        /// A shred waits, so it cannot slip in between a read and its access record.
        case share = " FOR SHARE"
        /// For a read that updates the row.
        case update = " FOR UPDATE"
    }

    /// The data key of (owner, challenge).
    func dataKey(owner: OrgNumber, challenge: ChallengeID, lock: RowLock = .none, on db: any SQLDatabase) async throws -> DataKeyRow? {
        let lock = database.dialect == .postgres ? lock.rawValue : ""
        let row = try await db.raw("""
            SELECT data_key_version, kek_version, wrapped, shredded_at FROM vault_data_keys
            WHERE owner = \(bind: owner.rawValue) AND challenge = \(bind: challenge.rawValue)\(unsafeRaw: lock)
            """).first()
        guard let row else { return nil }
        let wrapped = try row.decode(column: "wrapped", as: String?.self)
        return DataKeyRow(
            owner: owner, challenge: challenge.rawValue,
            dataKeyVersion: Int(try row.decode(column: "data_key_version", as: Int64.self)),
            kekVersion: Int(try row.decode(column: "kek_version", as: Int64.self)),
            wrapped: try wrapped.map { text in
                guard let bytes = Data(base64Encoded: text) else { throw RPCError(.dataLoss, "a stored data key is malformed") }
                return bytes
            },
            shreddedAt: try row.decode(column: "shredded_at", as: Int64?.self))
    }

    /// The version the owner's next data key gets: one more than any it had.
    func nextDataKeyVersion(owner: OrgNumber, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("SELECT COALESCE(MAX(data_key_version), 0) AS v FROM vault_data_keys WHERE owner = \(bind: owner.rawValue)").first()
        return Int(try row?.decode(column: "v", as: Int64.self) ?? 0) + 1
    }

    func insert(_ key: WrappedDataKey, challenge: ChallengeID, at time: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO vault_data_keys (owner, challenge, data_key_version, kek_version, wrapped, created_at)
            VALUES (\(bind: key.owner.rawValue), \(bind: challenge.rawValue), \(bind: Int64(key.dataKeyVersion)),
                    \(bind: Int64(key.kekVersion)), \(bind: key.sealed.base64EncodedString()), \(bind: time.millisecondsSinceEpoch))
            """).run()
    }

    /// Deletes the key material of (owner, challenge): the wrapped key becomes NULL.
    func destroyDataKey(owner: OrgNumber, challenge: ChallengeID, at time: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE vault_data_keys SET wrapped = NULL, shredded_at = \(bind: time.millisecondsSinceEpoch)
            WHERE owner = \(bind: owner.rawValue) AND challenge = \(bind: challenge.rawValue)
            """).run()
    }

    /// (owner, challenge) of every live data key not wrapped with KEK `current`.
    func dataKeys(notWrappedWith current: Int) async throws -> [(owner: OrgNumber, challenge: ChallengeID)] {
        try await database.sql.raw("""
            SELECT owner, challenge FROM vault_data_keys
            WHERE wrapped IS NOT NULL AND kek_version <> \(bind: Int64(current)) ORDER BY owner, challenge
            """).all().map { row in
                guard let owner = OrgNumber(try row.decode(column: "owner", as: String.self)),
                      let challenge = ChallengeID(try row.decode(column: "challenge", as: String.self))
                else { throw RPCError(.dataLoss, "a stored data key names a malformed owner or challenge") }
                return (owner, challenge)
            }
    }

    /// Replaces a wrapping, if the row still holds `old` (a concurrent rewrap or shred wins).
    /// Returns whether it did.
    func replaceWrapping(of old: WrappedDataKey, with new: WrappedDataKey, challenge: ChallengeID, on db: any SQLDatabase) async throws -> Bool {
        let rows = try await db.raw("""
            UPDATE vault_data_keys SET kek_version = \(bind: Int64(new.kekVersion)), wrapped = \(bind: new.sealed.base64EncodedString())
            WHERE owner = \(bind: old.owner.rawValue) AND challenge = \(bind: challenge.rawValue)
              AND kek_version = \(bind: Int64(old.kekVersion)) AND wrapped = \(bind: old.sealed.base64EncodedString())
            RETURNING owner
            """).all()
        return !rows.isEmpty
    }

    /// Every KEK version that still wraps a live data key.
    public func kekVersionsInUse() async throws -> [Int] {
        try await database.sql.raw("SELECT DISTINCT kek_version FROM vault_data_keys WHERE wrapped IS NOT NULL ORDER BY kek_version").all()
            .map { Int(try $0.decode(column: "kek_version", as: Int64.self)) }
    }

    // MARK: Deposits

    struct DepositRow: Sendable {
        var ref: VaultRef
        var owner: OrgNumber
        var challenge: ChallengeID
        var field: String
        var mediaType: String
        var ciphertext: Data
        var commitment: SaltedDigest
        var dataKeyVersion: Int
        var depositedAt: Timestamp
        /// The caller's subject.
        var depositor: String
        /// Who wrote it for the owner (an officer or negotiator); nil for the owner's own.
        var author: Actor?

        var binding: ContentBinding { ContentBinding(owner: owner, ref: ref, field: field, dataKeyVersion: dataKeyVersion) }
    }

    func insert(_ deposit: DepositRow, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO vault_deposits (ref, owner, challenge, field, media_type, ciphertext, commitment, salt,
                                        data_key_version, deposited_at, depositor, author_subject, author_role)
            VALUES (\(bind: deposit.ref.rawValue), \(bind: deposit.owner.rawValue), \(bind: deposit.challenge.rawValue),
                    \(bind: deposit.field), \(bind: deposit.mediaType), \(bind: deposit.ciphertext.base64EncodedString()),
                    \(bind: deposit.commitment.digest.description), \(bind: deposit.commitment.salt),
                    \(bind: Int64(deposit.dataKeyVersion)), \(bind: deposit.depositedAt.millisecondsSinceEpoch), \(bind: deposit.depositor),
                    \(bind: deposit.author?.subject), \(bind: deposit.author?.role.rawValue))
            """).run()
    }

    func deposit(_ ref: VaultRef, on db: any SQLDatabase) async throws -> DepositRow? {
        let row = try await db.raw("""
            SELECT owner, challenge, field, media_type, ciphertext, commitment, salt, data_key_version, deposited_at, depositor,
                   author_subject, author_role
            FROM vault_deposits WHERE ref = \(bind: ref.rawValue)
            """).first()
        guard let row else { return nil }
        guard let owner = OrgNumber(try row.decode(column: "owner", as: String.self)),
              let challenge = ChallengeID(try row.decode(column: "challenge", as: String.self)),
              let ciphertext = Data(base64Encoded: try row.decode(column: "ciphertext", as: String.self)),
              let digest = Digest(try row.decode(column: "commitment", as: String.self))
        else { throw RPCError(.dataLoss, "the stored deposit \(ref) is malformed") }
        let author: Actor?
        switch (try row.decode(column: "author_subject", as: String?.self), try row.decode(column: "author_role", as: String?.self).map(Role.init(rawValue:))) {
        case (nil, nil): author = nil
        case (let subject?, let role??): author = Actor(subject: subject, role: role)
        default: throw RPCError(.dataLoss, "the stored deposit \(ref) names a malformed author")
        }
        return DepositRow(
            ref: ref, owner: owner, challenge: challenge,
            field: try row.decode(column: "field", as: String.self),
            mediaType: try row.decode(column: "media_type", as: String.self),
            ciphertext: ciphertext,
            commitment: SaltedDigest(digest: digest, salt: try row.decode(column: "salt", as: String.self)),
            dataKeyVersion: Int(try row.decode(column: "data_key_version", as: Int64.self)),
            depositedAt: Timestamp(millisecondsSinceEpoch: try row.decode(column: "deposited_at", as: Int64.self)),
            depositor: try row.decode(column: "depositor", as: String.self), author: author)
    }

    func depositCount(owner: OrgNumber, challenge: ChallengeID, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM vault_deposits WHERE owner = \(bind: owner.rawValue) AND challenge = \(bind: challenge.rawValue)
            """).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }
}
