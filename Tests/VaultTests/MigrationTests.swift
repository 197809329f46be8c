import Foundation
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing
@testable import Vault

/// Upgrading a Vault that already holds deposits.
@Suite("Vault migrations")
struct MigrationTests {
    @Test("migration 3 (deposit author) keeps earlier deposits readable, as the owner's own; a half-stored author is data_loss", arguments: Backend.allCases)
    func depositAuthor(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            try await test.database.migrateServiceKit()
            try await test.database.migrate(component: VaultMigrations.component, Array(VaultMigrations.all.prefix(2)))
            // A deposit as the Vault stored it before authors existed.
            let ring = try VaultHarness.ring(current: 1, keys: [1: 0x11])
            let (owner, challenge, ref) = (VaultHarness.owner, VaultHarness.challenge, VaultRef.random())
            let made = try Envelope.newDataKey(for: owner, version: 1, ring: ring)
            let binding = ContentBinding(owner: owner, ref: ref, field: "application", dataKeyVersion: 1)
            let ciphertext = try Envelope.seal(Data("before the upgrade".utf8), with: made.key, binding: binding)
            let sql = test.database.sql
            try await sql.raw("""
                INSERT INTO vault_data_keys (owner, challenge, data_key_version, kek_version, wrapped, created_at)
                VALUES (\(bind: owner.rawValue), \(bind: challenge.rawValue), 1, 1, \(bind: made.wrapped.sealed.base64EncodedString()), 0)
                """).run()
            try await sql.raw("""
                INSERT INTO vault_deposits (ref, owner, challenge, field, media_type, ciphertext, commitment, salt, data_key_version, deposited_at, depositor)
                VALUES (\(bind: ref.rawValue), \(bind: owner.rawValue), \(bind: challenge.rawValue), 'application', 'text/plain',
                        \(bind: ciphertext.base64EncodedString()), \(bind: Digest.sha256(Data()).description), 'c2FsdA==', 1, 0, 'founder')
                """).run()

            let store = try await VaultStore.open(test.database)
            let row = try #require(try await store.deposit(ref, on: sql))
            #expect(row.author == nil && row.depositor == "founder")
            #expect(try Envelope.open(row.ciphertext, with: made.key, binding: row.binding) == Data("before the upgrade".utf8))

            try await sql.raw("UPDATE vault_deposits SET author_subject = 'nils' WHERE ref = \(bind: ref.rawValue)").run()
            await #expect(throws: RPCError.self) { _ = try await store.deposit(ref, on: sql) }
        }
    }
}
