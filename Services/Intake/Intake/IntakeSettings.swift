import Foundation
public import ServiceKit

/// Intake's own configuration keys (the common ones are ``ServiceSettings``'); each is
/// listed in docs/OPERATIONS.md.
public struct IntakeSettings: Sendable {
    /// `records.url` (RECORDS_URL), required: where the outbox delivers events
    /// (`http://host:port` for h2c, `https://…` for TLS).
    public var recordsURL: String
    /// `intake.vaultReceiptKeyFile` (INTAKE_VAULT_RECEIPT_KEY_FILE), required: a file holding
    /// base64 of the Vault's raw 32-byte Ed25519 receipt public key — the Vault writes it as
    /// `<its data dir>/vault-receipt.pub`. Deposit receipts must name its key id (the first
    /// 16 hex digits of SHA-256 of the raw key). A missing or malformed file stops start-up.
    public var receiptKey: VaultReceiptKey
    /// `intake.autoCloseSeconds` (INTAKE_AUTO_CLOSE_SECONDS), default 1: how often the
    /// automatic closer looks for challenges whose application deadline has passed.
    public var autoCloseInterval: Duration

    public init(reader: ScopedSettingsReader) throws {
        guard let records = reader.string("records.url") else {
            throw SettingsError("records.url (RECORDS_URL) is required: Intake's events go to Records")
        }
        recordsURL = records
        guard let keyFile = reader.serviceString("vaultReceiptKeyFile") else {
            throw SettingsError("intake.vaultReceiptKeyFile (INTAKE_VAULT_RECEIPT_KEY_FILE) is required: the Vault's receipt public key")
        }
        guard let text = try? String(contentsOfFile: keyFile, encoding: .utf8), let key = try? VaultReceiptKey(base64: text) else {
            throw SettingsError("intake.vaultReceiptKeyFile \(keyFile) does not hold base64 of a raw 32-byte Ed25519 public key")
        }
        receiptKey = key
        let seconds: Int
        if let text = reader.serviceString("autoCloseSeconds") {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 1 else {
                throw SettingsError("intake.autoCloseSeconds must be a whole number of seconds, at least 1")
            }
            seconds = value
        } else {
            seconds = 1
        }
        autoCloseInterval = .seconds(seconds)
    }
}
