import Crypto
import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import ServiceLifecycle

/// The `tender-records` process: reads its settings, opens and checks the log, serves.
public enum RecordsApp {
    public static let defaultPort = 7100

    public static func run() async throws {
        let settings = try await ServiceSettings.load(service: "records", defaultPort: defaultPort)
        let runtime = try await ServiceRuntime.start(settings)
        try await runtime.database.migrate(component: RecordsMigrations.component, RecordsMigrations.all)
        let signer = try loadSigner(settings: settings, logger: runtime.logger)
        // On PostgreSQL several replicas may share the tables: only the lock holder writes.
        let elected = runtime.database.dialect == .postgres
        let log = try await RecordLog.open(database: runtime.database, signer: signer, logger: runtime.logger, asWriter: !elected)
        let publication = PublicationSettings(
            ocidPrefix: settings.reader.serviceString("ocidPrefix") ?? "ocds-tenderdialogue",
            publisher: settings.reader.serviceString("publisher") ?? "TenderDialogue")
        let election = elected ? [WriterElection(database: runtime.database, log: log, logger: runtime.logger) as any Service] : []
        try await runtime.run(router: RecordsHandlers(log: log, publication: publication).router, services: election)
    }

    /// The checkpoint key: `records.signingKeyFile` (RECORDS_SIGNING_KEY_FILE, the base64
    /// Ed25519 seed), or in local mode a key made on first start at `<data dir>/records.key`.
    /// The verifier key is written to `<data dir>/records.vkey` either way.
    /// `records.origin` (RECORDS_ORIGIN), default `tenderdialogue.local/records`, names the log.
    static func loadSigner(settings: ServiceSettings, logger: Logger) throws -> CheckpointSigner {
        let origin = settings.reader.serviceString("origin") ?? "tenderdialogue.local/records"
        guard SignedNote.isValidName(origin) else { throw SettingsError("records.origin must not contain spaces or '+'") }
        let keyFile: String
        if let configured = settings.reader.serviceString("signingKeyFile") {
            keyFile = configured
        } else {
            keyFile = settings.dataDirectory + "/records.key"
            if !FileManager.default.fileExists(atPath: keyFile) {
                let seed = Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw SettingsError("cannot write \(keyFile)")
                }
                logger.warning("local mode: made a new checkpoint signing key", metadata: ["file": .string(keyFile)])
            }
        }
        guard let text = try? String(contentsOfFile: keyFile, encoding: .utf8),
              let seed = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else { throw SettingsError("records.signingKeyFile \(keyFile) does not hold a base64 Ed25519 seed") }
        let signer = CheckpointSigner(origin: origin, key: key)
        try (signer.verifierKey.description + "\n").write(toFile: settings.dataDirectory + "/records.vkey", atomically: true, encoding: .utf8)
        return signer
    }
}
