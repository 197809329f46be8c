import Foundation
import Messages
import RPC
import SQLKit
import TestServiceKit
import Testing
import Vault

/// Stored ciphertext that was altered or moved does not open, and its reader gets no bytes.
@Suite("Vault integrity")
struct IntegrityTests {
    @Test("ciphertext tampered with in the database: data_loss, no plaintext, nothing recorded", arguments: Backend.allCases)
    func tampered(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let ref = try await vault.deposit("CANARY-tamper: pilot budget 1.2 MNOK").ref
            let stored = try #require(try await vault.sql.raw("SELECT ciphertext FROM vault_deposits WHERE ref = \(bind: ref.rawValue)").first()?.decode(column: "ciphertext", as: String.self))
            var bytes = try #require(Data(base64Encoded: stored))
            bytes[bytes.count / 2] ^= 0x01
            try await vault.sql.raw("UPDATE vault_deposits SET ciphertext = \(bind: bytes.base64EncodedString()) WHERE ref = \(bind: ref.rawValue)").run()
            let error = await expectRPCError(.dataLoss) { try await vault.open(ref) }
            #expect(error?.message.contains("CANARY") == false)
            #expect(try await vault.count("vault_accesses") == 0)
            #expect(try await vault.count("outbox") == 0)
        }
    }

    @Test("ciphertext copied into another ref's row does not open there", arguments: Backend.allCases)
    func moved(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let secret = try await vault.deposit("CANARY-moved: the real numbers", field: "finances").ref
            let decoy = try await vault.deposit("nothing much here", field: "finances").ref
            try await vault.sql.raw("""
                UPDATE vault_deposits SET ciphertext = (SELECT ciphertext FROM vault_deposits WHERE ref = \(bind: secret.rawValue))
                WHERE ref = \(bind: decoy.rawValue)
                """).run()
            await expectRPCError(.dataLoss) { try await vault.open(decoy) }
            // The original still opens where it belongs.
            #expect(try await vault.open(secret).bytes == Data("CANARY-moved: the real numbers".utf8))
            #expect(try await vault.count("vault_accesses") == 1)
        }
    }

    @Test("a data key relabelled as another startup's does not unwrap", arguments: Backend.allCases)
    func dataKeyMovedToAnotherOwner(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            _ = try await vault.deposit("first startup's secret")
            let victim = try await vault.deposit("second startup's secret", owner: VaultHarness.otherOwner).ref
            try await vault.sql.raw("""
                UPDATE vault_data_keys SET wrapped = (SELECT wrapped FROM vault_data_keys WHERE owner = \(bind: VaultHarness.owner.rawValue))
                WHERE owner = \(bind: VaultHarness.otherOwner.rawValue)
                """).run()
            await expectRPCError(.dataLoss) { try await vault.open(victim) }
        }
    }
}
