import Crypto
import Foundation
public import Logging
public import RPC
public import ServiceKit

/// Negotiation's own configuration, read at start-up besides ServiceKit's common keys
/// (docs/OPERATIONS.md lists them all). A missing or malformed value stops the start-up.
public struct NegotiationSettings: Sendable {
    /// `records.url` (RECORDS_URL), required: where the outbox delivers events
    /// (`http://host:port` for h2c, `https://…` for TLS).
    public var recordsURL: String
    /// `evaluation.url` (EVALUATION_URL), required: Evaluation's URL. `OpenDialogues` reads the
    /// finalised result and the evaluated applications there with Negotiation's service token.
    public var evaluationURL: String
    /// `negotiation.vaultReceiptKeyFile` (NEGOTIATION_VAULT_RECEIPT_KEY_FILE), required: a file
    /// holding base64 of the Vault's raw 32-byte Ed25519 receipt public key — the Vault writes
    /// it as `<its data dir>/vault-receipt.pub` (the same file as Intake's
    /// `intake.vaultReceiptKeyFile`). Every deposit receipt of a dialogue (messages, minutes,
    /// offers, pilot reports) must be signed with it.
    public var receiptKey: VaultReceiptKey
    /// `negotiation.grantKeyFile` (NEGOTIATION_GRANT_KEY_FILE): base64 of the Ed25519 seed that
    /// signs Vault access grants (issuer `negotiation`). Required in production; in local mode,
    /// when unset, `<data dir>/negotiation-grant.key` (mode 0600) is made on first start. Either
    /// way the public key is written to `<data dir>/negotiation.pem`, the file the Vault lists
    /// in `vault.grantIssuerKeys` (its name, `negotiation`, is the issuer).
    public var grantIssuer: AccessGrantIssuer
    /// `negotiation.grantSeconds` (NEGOTIATION_GRANT_SECONDS), default 300, 1–900: how long an
    /// access grant is valid (the Vault refuses grants longer than its `vault.grantMaxSeconds`,
    /// default 900).
    public var grantSeconds: Int
    /// `negotiation.standstillDays` (NEGOTIATION_STANDSTILL_DAYS), default 10, 1–60: the
    /// standstill period after an award notice, during which no agreement is signed. Fixed
    /// per award when it is decided.
    public var standstillDays: Int
    /// `negotiation.standstillCheckSeconds` (NEGOTIATION_STANDSTILL_CHECK_SECONDS), default 1,
    /// 1–3600: how often the watcher looks for standstill periods that have ended.
    public var standstillCheckInterval: Duration

    public static let defaultGrantSeconds = 300
    public static let defaultStandstillDays = 10
    public static let defaultStandstillCheckSeconds = 1

    public static func load(_ settings: ServiceSettings, logger: Logger) throws -> NegotiationSettings {
        let reader = settings.reader
        guard let recordsURL = reader.string("records.url") else {
            throw SettingsError("records.url (RECORDS_URL) is required: Negotiation's events go to Records")
        }
        guard let evaluationURL = reader.string("evaluation.url") else {
            throw SettingsError("evaluation.url (EVALUATION_URL) is required: dialogues are opened from Evaluation's shortlist")
        }
        guard let receiptKeyFile = reader.serviceString("vaultReceiptKeyFile") else {
            throw SettingsError("negotiation.vaultReceiptKeyFile (NEGOTIATION_VAULT_RECEIPT_KEY_FILE) is required: the Vault's receipt public key")
        }
        guard let text = try? String(contentsOfFile: receiptKeyFile, encoding: .utf8), let receiptKey = try? VaultReceiptKey(base64: text) else {
            throw SettingsError("negotiation.vaultReceiptKeyFile \(receiptKeyFile) does not hold base64 of a raw 32-byte Ed25519 public key")
        }
        let grantSeconds = try integer(reader.serviceString("grantSeconds"), key: "negotiation.grantSeconds", default: defaultGrantSeconds, range: 1...900)
        let standstillDays = try integer(reader.serviceString("standstillDays"), key: "negotiation.standstillDays", default: defaultStandstillDays, range: 1...60)
        let checkSeconds = try integer(
            reader.serviceString("standstillCheckSeconds"), key: "negotiation.standstillCheckSeconds", default: defaultStandstillCheckSeconds, range: 1...3600)
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let keyFile: String
        if let configured = reader.serviceString("grantKeyFile") {
            keyFile = configured
        } else {
            guard settings.environment == "local" else { throw SettingsError("negotiation.grantKeyFile (NEGOTIATION_GRANT_KEY_FILE) is required outside local mode") }
            keyFile = settings.dataDirectory + "/negotiation-grant.key"
            if !FileManager.default.fileExists(atPath: keyFile) {
                let seed = Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw SettingsError("cannot write \(keyFile)")
                }
                logger.warning("local mode: made a new grant key; production must configure negotiation.grantKeyFile", metadata: ["file": .string(keyFile)])
            }
        }
        let issuer: AccessGrantIssuer
        do {
            issuer = try AccessGrantIssuer(name: "negotiation", seedBase64: try String(contentsOfFile: keyFile, encoding: .utf8))
        } catch {
            throw SettingsError("negotiation.grantKeyFile \(keyFile) does not hold a base64 Ed25519 seed")
        }
        try issuer.publicKeyPEM.write(toFile: settings.dataDirectory + "/negotiation.pem", atomically: true, encoding: .utf8)
        return NegotiationSettings(
            recordsURL: recordsURL, evaluationURL: evaluationURL, receiptKey: receiptKey, grantIssuer: issuer, grantSeconds: grantSeconds,
            standstillDays: standstillDays, standstillCheckInterval: .seconds(checkSeconds))
    }

    private static func integer(_ text: String?, key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw SettingsError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
