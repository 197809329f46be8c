import Crypto
import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// `tender-vault` as a real process over real HTTP/2 (h2c), with `tender-records` receiving
/// its events through the outbox.
@Suite("Vault process")
struct VaultProcessTests {
    @Test("tender-vault starts, publishes its receipt key, takes a deposit, records a read in Records")
    func process() async throws {
        let env = try TestEnvironment(name: "vault-process")
        defer { env.remove() }
        let records = try await ServiceProcess.start("tender-records", environment: try env.serviceEnvironment(name: "records"))
        let grantKey = Curve25519.Signing.PrivateKey()
        let evaluation = AccessGrantIssuer(name: "evaluation", privateKey: grantKey)
        let pem = env.directory + "/evaluation.pem"
        try evaluation.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        let vaultEnv = try env.serviceEnvironment(name: "vault", extra: ["RECORDS_URL": records.url, "VAULT_GRANT_ISSUER_KEYS": pem])
        let dataDir = vaultEnv["DATA_DIR"]!
        let vault = try await ServiceProcess.start("tender-vault", environment: vaultEnv)

        // Local mode made its keys, private ones readable by the owner only.
        for file in ["vault-keyring.json", "vault-receipt.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dataDir + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        let client = RPCClient(transport: try HTTP2ClientTransport(url: vault.url))
        let key = try await client.call(VaultAPI.getReceiptKey, GetReceiptKeyRequest())
        let published = try String(contentsOfFile: dataDir + "/vault-receipt.pub", encoding: .utf8)
        #expect(published == key.publicKey + "\n")
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: try #require(Data(base64Encoded: key.publicKey)))

        let owner = OrgNumber("923609016")!
        let canary = "CANARY-\(UUID().uuidString.prefix(8)): process secret"
        let startup = try await env.token(.startup, subject: "founder", organisation: owner)
        let deposited = try await client.call(
            VaultAPI.deposit, DepositRequest(challenge: ChallengeID("smart-oslo")!, field: "technology", bytes: Data(canary.utf8)),
            options: CallOptions(token: startup))
        #expect(deposited.receipt.isSigned(by: publicKey) && deposited.receipt.keyID == key.keyID)

        let grant = try await evaluation.grant(subject: "eva", role: .evaluator, ref: deposited.ref, purpose: "evaluation", now: Date())
        let opened = try await client.call(
            VaultAPI.open, OpenRequest(ref: deposited.ref, grant: grant), options: CallOptions(token: try await env.token(.evaluator, subject: "eva")))
        #expect(opened.bytes == Data(canary.utf8))

        // The access event arrives in the record (the outbox is woken on commit).
        let reader = RPCClient(transport: try HTTP2ClientTransport(url: records.url))
        var recorded: [ProcurementEvent] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            let size = try await reader.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size
            if size > 0 {
                recorded = try await reader.call(RecordsAPI.getEntries, GetEntriesRequest(start: 0, count: size)).entries.map(\.event)
                if !recorded.isEmpty { break }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recorded.map(\.id.rawValue) == [opened.access])
        #expect(recorded.first?.type == .confidentialDataAccessed)

        #expect(await vault.terminate() == 0)
        await records.terminate()
        for line in vault.log + records.log {
            #expect(!line.contains("CANARY"), "a log line carries the content: \(line)")
            #expect(!line.contains("technology"), "a log line carries the field: \(line)")
        }
    }
}
