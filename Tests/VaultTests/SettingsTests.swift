import Crypto
import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Testing
@testable import Vault

/// The Vault's configuration keys: local-mode defaults, production refusals, issuer keys.
@Suite("Vault settings")
struct SettingsTests {
    static func load(_ environment: [String: String]) async throws -> VaultSettings {
        let settings = try await ServiceSettings.load(service: "vault", defaultPort: VaultApp.defaultPort, environment: environment)
        return try VaultSettings.load(settings, logger: Logger(label: "test.vault"))
    }

    @Test("local mode makes a key ring and a receipt key once (mode 0600) and publishes the receipt key")
    func localDefaults() async throws {
        let env = try TestEnvironment(name: "vault-settings")
        defer { env.remove() }
        let dir = env.directory + "/data"
        let first = try await Self.load(["DATA_DIR": dir, "RECORDS_URL": "http://127.0.0.1:7100"])
        for file in ["vault-keyring.json", "vault-receipt.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        #expect(first.keyRing.current == 1)
        #expect(first.grantMaxSeconds == 900 && first.grantIssuerKeys.isEmpty && first.recordsURL == "http://127.0.0.1:7100")
        #expect(try String(contentsOfFile: dir + "/vault-receipt.pub", encoding: .utf8) == first.receiptSigner.receiptKey.publicKey + "\n")
        let second = try await Self.load(["DATA_DIR": dir, "RECORDS_URL": "http://127.0.0.1:7100"])
        #expect(second.receiptSigner.keyID == first.receiptSigner.keyID, "the same key on the next start")
    }

    @Test("production needs the key ring and the receipt key; Records' URL is always required; malformed values stop the start")
    func refusals() async throws {
        let env = try TestEnvironment(name: "vault-settings")
        defer { env.remove() }
        let ring = env.directory + "/ring.json"
        try #"{"current": 1, "keys": [{"version": 1, "key": "\#(Data(repeating: 1, count: 32).base64EncodedString())"}]}"#.write(toFile: ring, atomically: true, encoding: .utf8)
        let receipt = env.directory + "/receipt.key"
        try Curve25519.Signing.PrivateKey().rawRepresentation.base64EncodedString().write(toFile: receipt, atomically: true, encoding: .utf8)
        let base = ["DATA_DIR": env.directory + "/data", "RECORDS_URL": "http://records:7100", "ENVIRONMENT": "production"]
        let cases: [([String: String], String)] = [
            (base, "vault.keyRingFile"),
            (base.merging(["VAULT_KEY_RING_FILE": ring]) { $1 }, "vault.receiptKeyFile"),
            (base.merging(["VAULT_KEY_RING_FILE": receipt, "VAULT_RECEIPT_KEY_FILE": receipt]) { $1 }, "vault.keyRingFile"),
            (base.merging(["VAULT_KEY_RING_FILE": ring, "VAULT_RECEIPT_KEY_FILE": ring]) { $1 }, "vault.receiptKeyFile"),
            (["DATA_DIR": env.directory + "/data"], "records.url"),
            (base.merging(["VAULT_KEY_RING_FILE": ring, "VAULT_RECEIPT_KEY_FILE": receipt, "VAULT_GRANT_MAX_SECONDS": "soon"]) { $1 }, "vault.grantMaxSeconds"),
            (base.merging(["VAULT_KEY_RING_FILE": ring, "VAULT_RECEIPT_KEY_FILE": receipt, "VAULT_GRANT_ISSUER_KEYS": ring]) { $1 }, "vault.grantIssuerKeys"),
        ]
        for (environment, key) in cases {
            do {
                _ = try await Self.load(environment)
                Issue.record("expected a start-up error naming \(key)")
            } catch let error as SettingsError {
                #expect(error.description.contains(key), "\(error)")
            }
        }
        let fine = try await Self.load(base.merging(["VAULT_KEY_RING_FILE": ring, "VAULT_RECEIPT_KEY_FILE": receipt]) { $1 })
        #expect(fine.keyRing.current == 1)
    }

    @Test("grant issuer keys are named by their files")
    func issuerKeys() async throws {
        let env = try TestEnvironment(name: "vault-settings")
        defer { env.remove() }
        var paths: [String] = []
        for name in ["evaluation", "negotiation"] {
            let path = env.directory + "/\(name).pem"
            try AccessGrantIssuer(name: name, privateKey: Curve25519.Signing.PrivateKey()).publicKeyPEM.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let settings = try await Self.load([
            "DATA_DIR": env.directory + "/data", "RECORDS_URL": "http://records:7100",
            "VAULT_GRANT_ISSUER_KEYS": paths.joined(separator: ", "), "VAULT_GRANT_MAX_SECONDS": "120",
        ])
        #expect(settings.grantIssuerKeys.keys.sorted() == ["evaluation", "negotiation"])
        #expect(settings.grantMaxSeconds == 120)
        // The project's own issuers get their default roles; Negotiation grants the startup of
        // a dialogue too.
        #expect(settings.grantIssuerRoles == ["evaluation": [.evaluator], "negotiation": [.negotiator, .officer, .startup]])
        let narrowed = try await Self.load([
            "DATA_DIR": env.directory + "/data", "RECORDS_URL": "http://records:7100",
            "VAULT_GRANT_ISSUER_KEYS": paths.joined(separator: ","), "VAULT_GRANT_ISSUER_ROLES": "negotiation=negotiator | startup",
        ])
        #expect(narrowed.grantIssuerRoles == ["evaluation": [.evaluator], "negotiation": [.negotiator, .startup]])

        // Another issuer must be told which roles it may grant.
        let other = env.directory + "/pilot-lab.pem"
        try AccessGrantIssuer(name: "pilot-lab", privateKey: Curve25519.Signing.PrivateKey()).publicKeyPEM.write(toFile: other, atomically: true, encoding: .utf8)
        let base = ["DATA_DIR": env.directory + "/data", "RECORDS_URL": "http://records:7100", "VAULT_GRANT_ISSUER_KEYS": other]
        await #expect(throws: SettingsError.self) { _ = try await Self.load(base) }
        let auditor = await #expect(throws: SettingsError.self) { _ = try await Self.load(base.merging(["VAULT_GRANT_ISSUER_ROLES": "pilot-lab=auditor"]) { $1 }) }
        #expect(auditor?.description.contains("roles among evaluator, negotiator, officer, startup") == true, "\(auditor?.description ?? "")")
        let configured = try await Self.load(base.merging(["VAULT_GRANT_ISSUER_ROLES": "pilot-lab=evaluator|officer|startup"]) { $1 })
        #expect(configured.grantIssuerRoles == ["pilot-lab": [.evaluator, .officer, .startup]])
    }

    @Test("a key ring missing a version that still wraps data keys stops the start-up", arguments: Backend.allCases)
    func keyRingMustCoverStoredKeys(_ backend: Backend) async throws {
        try await VaultHarness.with(backend, ring: try VaultHarness.ring(current: 1, keys: [1: 0xA1])) { vault in
            _ = try await vault.deposit("wrapped with version 1")
            func settings(_ ring: KeyRing) -> VaultSettings {
                VaultSettings(keyRing: ring, receiptSigner: vault.receiptSigner, grantIssuerKeys: [:], grantMaxSeconds: 900, recordsURL: "http://records")
            }
            try await settings(try VaultHarness.ring(current: 2, keys: [1: 0xA1, 2: 0xB2])).checkKeyRing(covers: vault.store)
            await #expect(throws: SettingsError.self) {
                try await settings(try VaultHarness.ring(current: 2, keys: [2: 0xB2])).checkKeyRing(covers: vault.store)
            }
        }
    }
}
