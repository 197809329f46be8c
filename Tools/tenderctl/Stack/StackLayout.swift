import Crypto
import Foundation
import Messages
import RPC

/// The files of a local stack in its data directory.
///
/// ```
/// DIR/issuer.key, DIR/jwks.json    the local token issuer (tenderctl token reads it)
/// DIR/clock.json                   the driven clock every service reads (CLOCK_FILE)
/// DIR/endpoints.json               service → URL (replicas: URLs, comma-separated), written once everything listens
/// DIR/stack.json                   per process: URLs, ops URL, process id (for operators and tests)
/// DIR/<service>/                   each service's data directory (its SQLite file, keys), shared by its replicas
/// DIR/logs/<instance>.log          each process's JSON log (`intake.log`, or `intake-1.log`, … with replicas)
/// ```
struct StackLayout: Sendable {
    let directory: String

    init(directory: String) {
        // Absolute, so services started with another working directory find the same files.
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    var issuerKey: String { directory + "/issuer.key" }
    var jwks: String { directory + "/jwks.json" }
    var clockFile: String { directory + "/clock.json" }
    var endpoints: String { directory + "/endpoints.json" }
    var stackFile: String { directory + "/stack.json" }
    var marker: String { directory + "/.tender-stack" }
    var logs: String { directory + "/logs" }
    func data(_ service: String) -> String { directory + "/" + service }
    func log(_ service: String) -> String { logs + "/" + service + ".log" }
    var recordsVerifierKey: String { data("records") + "/records.vkey" }
    /// The checkpoint signing key (what Records makes itself in local mode).
    var recordsSigningKey: String { data("records") + "/records.key" }
    var vaultReceiptPublicKey: String { data("vault") + "/vault-receipt.pub" }
    /// The access-grant issuers (Evaluation, Negotiation): each one's signing key and public
    /// half, which the Vault trusts. Made by `up` before the Vault starts (the Vault reads
    /// issuer keys only at start-up); the file name without `.pem` is the issuer's name.
    static let grantIssuers = ["evaluation", "negotiation"]
    func grantKey(_ issuer: String) -> String { data(issuer) + "/\(issuer)-grant.key" }
    func grantPublicKey(_ issuer: String) -> String { data(issuer) + "/\(issuer).pem" }

    /// Creates the directories and the local issuer key (kept when it exists).
    func prepare() throws -> LocalTokenIssuer {
        let files = FileManager.default
        try files.createDirectory(atPath: logs, withIntermediateDirectories: true)
        if !files.fileExists(atPath: marker) {
            _ = files.createFile(atPath: marker, contents: Data("a TenderDialogue local stack (tenderctl up)\n".utf8))
        }
        if !files.fileExists(atPath: issuerKey) {
            let issuer = LocalTokenIssuer(audience: "tenderdialogue")
            guard files.createFile(atPath: issuerKey, contents: Data(issuer.seedBase64.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw StackError("cannot write \(issuerKey)")
            }
            try issuer.jwksJSON.write(toFile: jwks, atomically: true, encoding: .utf8)
        }
        for issuer in Self.grantIssuers where !files.fileExists(atPath: grantKey(issuer)) {
            try files.createDirectory(atPath: data(issuer), withIntermediateDirectories: true)
            let grants = AccessGrantIssuer(name: issuer, privateKey: Curve25519.Signing.PrivateKey())
            guard files.createFile(atPath: grantKey(issuer), contents: Data(grants.seedBase64.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw StackError("cannot write \(grantKey(issuer))")
            }
            try grants.publicKeyPEM.write(toFile: grantPublicKey(issuer), atomically: true, encoding: .utf8)
        }
        return try LocalTokenIssuer(seedBase64: String(contentsOfFile: issuerKey, encoding: .utf8), audience: "tenderdialogue")
    }

    /// The identity provider's key of a stack started elsewhere (`demo --stack`), as
    /// deploy/make-keys writes it; nothing is created.
    func externalIssuer() throws -> LocalTokenIssuer {
        guard let seed = try? String(contentsOfFile: issuerKey, encoding: .utf8) else {
            throw StackError("no identity provider key at \(issuerKey)")
        }
        return try LocalTokenIssuer(seedBase64: seed.trimmingCharacters(in: .whitespacesAndNewlines), audience: "tenderdialogue")
    }

    /// Makes the Records signing key unless it exists: replicas on PostgreSQL must all sign
    /// with one key (`RECORDS_SIGNING_KEY_FILE`), so it cannot be left to the first start.
    func makeRecordsSigningKey() throws {
        let files = FileManager.default
        guard !files.fileExists(atPath: recordsSigningKey) else { return }
        try files.createDirectory(atPath: data("records"), withIntermediateDirectories: true)
        let seed = Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString()
        guard files.createFile(atPath: recordsSigningKey, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw StackError("cannot write \(recordsSigningKey)")
        }
    }

    /// The URL of each running service, from endpoints.json.
    func readEndpoints() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: endpoints) else {
            throw StackError("no \(endpoints): is a stack running? Start one with `tenderctl up --data-dir \(directory)`")
        }
        return try JSONDecoder().decode([String: String].self, from: data)
    }
}

struct StackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The services a stack runs, in start order (each may need the ones before it).
struct ServiceSpec: Sendable {
    let name: String
    let executable: String
    let service: String
    let defaultPort: Int

    static let all: [ServiceSpec] = [
        ServiceSpec(name: "records", executable: "tender-records", service: RecordsAPI.service, defaultPort: 7100),
        ServiceSpec(name: "vault", executable: "tender-vault", service: VaultAPI.service, defaultPort: 7300),
        ServiceSpec(name: "intake", executable: "tender-intake", service: IntakeAPI.service, defaultPort: 7200),
        ServiceSpec(name: "evaluation", executable: "tender-evaluation", service: EvaluationAPI.service, defaultPort: 7400),
        ServiceSpec(name: "negotiation", executable: "tender-negotiation", service: NegotiationAPI.service, defaultPort: 7500),
    ]

    /// `intake` or `tender.intake.v1.IntakeService` → the spec.
    static func named(_ text: String) -> ServiceSpec? {
        all.first { $0.name == text || $0.service == text || $0.executable == text }
    }
}
