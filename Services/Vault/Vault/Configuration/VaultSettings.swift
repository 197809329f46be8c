import Crypto
import Foundation
public import JWTKit
public import Logging
public import Messages
public import ServiceKit

/// The Vault's own configuration, read at start-up besides ServiceKit's common keys
/// (docs/OPERATIONS.md lists them all). A missing or malformed value stops the start-up.
public struct VaultSettings: Sendable {
    /// `vault.keyRingFile` (VAULT_KEY_RING_FILE): the key-encryption keys, a JSON document
    /// `{"current": n, "keys": [{"version": 1, "key": "<base64 of 32 bytes>"}, …]}` (``KeyRing``).
    /// Required in production. In local mode, when unset, `<data dir>/vault-keyring.json`
    /// (mode 0600) is made on first start with one random key, and a warning is logged.
    public var keyRing: KeyRing
    /// `vault.receiptKeyFile` (VAULT_RECEIPT_KEY_FILE): the base64 Ed25519 seed that signs
    /// deposit receipts. Required in production; in local mode, when unset,
    /// `<data dir>/vault-receipt.key` (mode 0600) is made on first start. Either way the public
    /// key is written to `<data dir>/vault-receipt.pub` (base64 of the raw 32 bytes and a
    /// newline), the file Intake is configured with.
    public var receiptSigner: ReceiptSigner
    /// `vault.grantIssuerKeys` (VAULT_GRANT_ISSUER_KEYS): comma-separated paths of the Ed25519
    /// PEM public keys of the services that issue access grants. Each file's name without
    /// extension is the issuer (`evaluation.pem` → `evaluation`): a grant is verified only with
    /// the key of the issuer its `kid` names, and its `iss` must be that name. Default: none
    /// (every `Open` is refused; a warning is logged).
    public var grantIssuerKeys: [String: EdDSA.PublicKey]
    /// `vault.grantIssuerRoles` (VAULT_GRANT_ISSUER_ROLES): which reader roles each issuer may
    /// grant, `issuer=role|role;issuer=role`, roles among evaluator, negotiator, officer and
    /// startup. Default for the project's own issuers:
    /// `evaluation=evaluator;negotiation=negotiator|officer|startup`
    /// (``GrantRules/defaultRoles(forIssuer:)``). Every other configured issuer must be named
    /// here, or the start-up fails. Loaded, it holds the roles of every configured issuer,
    /// defaults filled in.
    public var grantIssuerRoles: [String: Set<Role>] = [:]
    /// `vault.grantMaxSeconds` (VAULT_GRANT_MAX_SECONDS), default 900: grants valid for longer
    /// (`exp − iat`) are refused.
    public var grantMaxSeconds: Int
    /// `records.url` (RECORDS_URL): where the outbox delivers access and shred events
    /// (`http://host:port` for h2c, `https://…` for TLS). Required.
    public var recordsURL: String

    public static let defaultGrantMaxSeconds = 900

    public static func load(_ settings: ServiceSettings, logger: Logger) throws -> VaultSettings {
        let reader = settings.reader
        let local = settings.environment == "local"
        guard let recordsURL = reader.string("records.url") else {
            throw SettingsError("records.url (RECORDS_URL) is required: the Vault's access events go to Records")
        }
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let maxText = reader.serviceString("grantMaxSeconds")
        guard let grantMaxSeconds = maxText.map({ Int($0.trimmingCharacters(in: .whitespaces)) }) ?? defaultGrantMaxSeconds,
              (1...86_400).contains(grantMaxSeconds)
        else { throw SettingsError("vault.grantMaxSeconds must be an integer from 1 to 86400") }

        let ringFile = try file(
            configured: reader.serviceString("keyRingFile"), key: "vault.keyRingFile", local: local,
            default: settings.dataDirectory + "/vault-keyring.json", logger: logger
        ) {
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
            return #"{"current": 1, "keys": [{"version": 1, "key": "\#(key)"}]}"#
        }
        let keyRing: KeyRing
        do {
            keyRing = try KeyRing(json: try Data(contentsOf: URL(fileURLWithPath: ringFile)))
        } catch {
            throw SettingsError("vault.keyRingFile \(ringFile): \(error)")
        }

        let receiptFile = try file(
            configured: reader.serviceString("receiptKeyFile"), key: "vault.receiptKeyFile", local: local,
            default: settings.dataDirectory + "/vault-receipt.key", logger: logger
        ) { Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString() }
        let receiptSigner: ReceiptSigner
        do {
            receiptSigner = try ReceiptSigner(seedBase64: try String(contentsOfFile: receiptFile, encoding: .utf8))
        } catch {
            throw SettingsError("vault.receiptKeyFile \(receiptFile) does not hold a base64 Ed25519 seed")
        }
        try (receiptSigner.receiptKey.publicKey + "\n").write(toFile: settings.dataDirectory + "/vault-receipt.pub", atomically: true, encoding: .utf8)

        var grantIssuerKeys: [String: EdDSA.PublicKey] = [:]
        for path in (reader.serviceString("grantIssuerKeys") ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            guard grantIssuerKeys[name] == nil else { throw SettingsError("vault.grantIssuerKeys names issuer '\(name)' twice") }
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8), let key = try? EdDSA.PublicKey(pem: pem) else {
                throw SettingsError("vault.grantIssuerKeys: \(path) is not an Ed25519 PEM public key")
            }
            grantIssuerKeys[name] = key
        }
        if grantIssuerKeys.isEmpty {
            logger.warning("no grant issuers configured (vault.grantIssuerKeys): every Open will be refused")
        }
        var grantIssuerRoles: [String: Set<Role>] = [:]
        for entry in (reader.serviceString("grantIssuerRoles") ?? "").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let roles = parts.count == 2 ? parts[1].split(separator: "|").map { Role(rawValue: $0.trimmingCharacters(in: .whitespaces)) } : []
            guard parts.count == 2, !parts[0].isEmpty, !roles.isEmpty, roles.allSatisfy({ $0.map(GrantRules.readerRoles.contains) == true }) else {
                throw SettingsError("vault.grantIssuerRoles: '\(entry)' is not issuer=role|role with roles among \(GrantRules.readerRoles.map(\.rawValue).sorted().joined(separator: ", "))")
            }
            grantIssuerRoles[parts[0]] = Set(roles.compactMap { $0 })
        }
        for name in grantIssuerKeys.keys where grantIssuerRoles[name] == nil {
            guard let defaults = GrantRules.defaultRoles(forIssuer: name) else {
                throw SettingsError("vault.grantIssuerRoles must say which roles issuer '\(name)' may grant")
            }
            grantIssuerRoles[name] = defaults
        }
        var settings = VaultSettings(
            keyRing: keyRing, receiptSigner: receiptSigner, grantIssuerKeys: grantIssuerKeys,
            grantMaxSeconds: grantMaxSeconds, recordsURL: recordsURL)
        settings.grantIssuerRoles = grantIssuerRoles
        return settings
    }

    /// The configured file; unset, in local mode the default, made with `content` (mode 0600)
    /// when missing; in production an error.
    static func file(configured: String?, key: String, local: Bool, default path: String, logger: Logger, content: () -> String) throws -> String {
        if let configured { return configured }
        guard local else { throw SettingsError("\(key) is required outside local mode") }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: Data(content().utf8), attributes: [.posixPermissions: 0o600]) else {
                throw SettingsError("cannot write \(path)")
            }
            logger.warning("local mode: made a new key file; production must configure \(key)", metadata: ["file": .string(path)])
        }
        return path
    }

    /// Refuses to start when a key-encryption key that still wraps data keys is missing from
    /// the ring: those deposits would be unreadable until it is restored.
    public func checkKeyRing(covers store: VaultStore) async throws {
        let missing = try await store.kekVersionsInUse().filter { !keyRing.holds(version: $0) }
        guard missing.isEmpty else {
            throw SettingsError("vault.keyRingFile lacks key version(s) \(missing.map(String.init).joined(separator: ", ")) that still wrap data keys: restore them, or rewrap before removing them")
        }
    }
}
