import Crypto
import Foundation
import Messages
import RPC
import SQLKit
import TestServiceKit
import Testing
@testable import Vault

/// What an attacker holding the Vault's SQLite file (and its write-ahead log) could read:
/// no plaintext, no data key and no receipt key in clear.
@Suite("Vault at rest")
struct AtRestTests {
    @Test("the SQLite file and its -wal hold no planted canary and no key in clear")
    func noPlaintextOnDisk() async throws {
        try await VaultHarness.with(.sqlite) { vault in
            let canary = "CANARY-\(UUID().uuidString): secret customer list for the pilot"
            let ref = try await vault.deposit(canary, field: "customers").ref
            // A keyed deposit too: the idempotency store keeps its response.
            _ = try await vault.call(
                VaultAPI.deposit, DepositRequest(challenge: VaultHarness.challenge, field: "customers", bytes: Data((canary + " (again)").utf8)),
                token: try await vault.startup(), idempotencyKey: "deposit-1")
            #expect(try await vault.open(ref).bytes == Data(canary.utf8))
            // The idempotency store's digest of that keyed request is keyed too: a plain
            // SHA-256 would confirm a guess of the content to anyone holding the database.
            let request = DepositRequest(challenge: VaultHarness.challenge, field: "customers", bytes: Data((canary + " (again)").utf8))
            let canonical = try CanonicalJSON.encode(request)
            let stored = try await vault.sql.raw("SELECT request_digest FROM idempotency_keys").all().map { try $0.decode(column: "request_digest", as: String.self) }
            #expect(stored.count == 1)
            #expect(!stored.contains(Digest.sha256(canonical).description))
            #expect(stored == [Digest(bytes: Array(HMAC<SHA256>.authenticationCode(for: canonical, using: vault.receiptSigner.requestDigestKey)))!.description])

            let row = try #require(try await vault.store.dataKey(owner: VaultHarness.owner, challenge: VaultHarness.challenge, on: vault.sql))
            let dataKey = try Envelope.unwrap(try #require(row.wrappedKey), ring: vault.ring).withUnsafeBytes { Data($0) }
            let seed = vault.receiptSigner.key.rawRepresentation
            let secrets: [(String, Data)] = [
                ("the canary", Data(canary.utf8)),
                ("the canary in base64", Data(Data(canary.utf8).base64EncodedString().utf8)),
                ("the data key", dataKey),
                ("the data key in base64", Data(dataKey.base64EncodedString().utf8)),
                ("the receipt key", seed),
                ("the receipt key in base64", Data(seed.base64EncodedString().utf8)),
            ]
            let path = String(vault.test.url.dropFirst("sqlite://".count))
            var scanned = 0
            for file in [path, path + "-wal"] {
                guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: file)) else { continue }
                scanned += bytes.count
                for (name, secret) in secrets {
                    #expect(bytes.range(of: secret) == nil, "\(name) found in \(file)")
                }
            }
            #expect(scanned > 0)
        }
    }
}
