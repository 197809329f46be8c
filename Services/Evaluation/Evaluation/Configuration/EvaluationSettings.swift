import Crypto
import Foundation
public import Logging
public import RPC
public import ServiceKit

/// Evaluation's own configuration, read at start-up besides ServiceKit's common keys
/// (docs/OPERATIONS.md lists them all). A missing or malformed value stops the start-up.
public struct EvaluationSettings: Sendable {
    /// `records.url` (RECORDS_URL), required: where the outbox delivers events
    /// (`http://host:port` for h2c, `https://…` for TLS).
    public var recordsURL: String
    /// `intake.url` (INTAKE_URL), required: Intake's URL. `OpenEvaluation` reads the
    /// challenge and its applications there with Evaluation's service token.
    public var intakeURL: String
    /// `evaluation.grantKeyFile` (EVALUATION_GRANT_KEY_FILE): base64 of the Ed25519 seed that
    /// signs Vault access grants (issuer `evaluation`). Required in production; in local mode,
    /// when unset, `<data dir>/evaluation-grant.key` (mode 0600) is made on first start. Either
    /// way the public key is written to `<data dir>/evaluation.pem`, the file the Vault lists
    /// in `vault.grantIssuerKeys` (its name, `evaluation`, is the issuer).
    public var grantIssuer: AccessGrantIssuer
    /// `evaluation.grantSeconds` (EVALUATION_GRANT_SECONDS), default 300, 1–900: how long an
    /// access grant is valid (the Vault refuses grants longer than its `vault.grantMaxSeconds`,
    /// default 900).
    public var grantSeconds: Int
    /// `evaluation.consensusSpread` (EVALUATION_CONSENSUS_SPREAD), default 2, 0–1000, whole
    /// points: evaluators whose points for a criterion differ by more than this need a
    /// recorded consensus. Fixed per evaluation when it is opened.
    public var consensusSpreadPoints: Int

    public static let defaultGrantSeconds = 300
    public static let defaultConsensusSpread = 2

    public static func load(_ settings: ServiceSettings, logger: Logger) throws -> EvaluationSettings {
        let reader = settings.reader
        guard let recordsURL = reader.string("records.url") else {
            throw SettingsError("records.url (RECORDS_URL) is required: Evaluation's events go to Records")
        }
        guard let intakeURL = reader.string("intake.url") else {
            throw SettingsError("intake.url (INTAKE_URL) is required: evaluations are opened from Intake")
        }
        let grantSeconds = try integer(reader.serviceString("grantSeconds"), key: "evaluation.grantSeconds", default: defaultGrantSeconds, range: 1...900)
        let spread = try integer(reader.serviceString("consensusSpread"), key: "evaluation.consensusSpread", default: defaultConsensusSpread, range: 0...1000)
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let keyFile: String
        if let configured = reader.serviceString("grantKeyFile") {
            keyFile = configured
        } else {
            guard settings.environment == "local" else { throw SettingsError("evaluation.grantKeyFile (EVALUATION_GRANT_KEY_FILE) is required outside local mode") }
            keyFile = settings.dataDirectory + "/evaluation-grant.key"
            if !FileManager.default.fileExists(atPath: keyFile) {
                let seed = Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw SettingsError("cannot write \(keyFile)")
                }
                logger.warning("local mode: made a new grant key; production must configure evaluation.grantKeyFile", metadata: ["file": .string(keyFile)])
            }
        }
        let issuer: AccessGrantIssuer
        do {
            issuer = try AccessGrantIssuer(name: "evaluation", seedBase64: try String(contentsOfFile: keyFile, encoding: .utf8))
        } catch {
            throw SettingsError("evaluation.grantKeyFile \(keyFile) does not hold a base64 Ed25519 seed")
        }
        try issuer.publicKeyPEM.write(toFile: settings.dataDirectory + "/evaluation.pem", atomically: true, encoding: .utf8)
        return EvaluationSettings(recordsURL: recordsURL, intakeURL: intakeURL, grantIssuer: issuer, grantSeconds: grantSeconds, consensusSpreadPoints: spread)
    }

    private static func integer(_ text: String?, key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw SettingsError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
