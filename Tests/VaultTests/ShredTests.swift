import Foundation
import Messages
import RPC
import SQLKit
import TestServiceKit
import Testing
import Vault

/// Crypto-shredding (DESIGN.md §4): the data key is deleted, its deposits cannot be read, the
/// fact is recorded once.
@Suite("Vault shredding")
struct ShredTests {
    @Test("a shredded ref is failed_precondition, the wrapped key is gone, the fact recorded once", arguments: Backend.allCases)
    func shred(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let first = try await vault.deposit("CANARY-shred one").ref
            _ = try await vault.deposit("CANARY-shred two", field: "finances")
            let survivor = try await vault.deposit("another challenge", challenge: ChallengeID("other-2026")!).ref
            let wrapped = try #require(try await vault.sql.raw("""
                SELECT wrapped FROM vault_data_keys WHERE owner = \(bind: VaultHarness.owner.rawValue) AND challenge = \(bind: VaultHarness.challenge.rawValue)
                """).first()?.decode(column: "wrapped", as: String.self))
            #expect(try await vault.open(first).bytes == Data("CANARY-shred one".utf8))

            let token = try await vault.startup()
            vault.clock.advance(milliseconds: 1000)
            let shredded = try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, reason: "withdrawn"), token: token)
            #expect(shredded.refs == 2 && shredded.shreddedAt == vault.clock.now())

            let error = await expectRPCError(.failedPrecondition) { try await vault.open(first) }
            #expect(error?.message.contains("shredded") == true)
            #expect(try await vault.open(survivor).bytes == Data("another challenge".utf8), "another challenge's key is untouched")
            await expectRPCError(.failedPrecondition) { try await vault.deposit("after the shred") }

            // The key material is gone, not flagged.
            #expect(try await vault.count("vault_data_keys", where: "wrapped IS NULL AND shredded_at IS NOT NULL") == 1)
            let everything = try await vault.sql.raw("SELECT * FROM vault_data_keys").all()
            for row in everything {
                #expect(try row.decode(column: "wrapped", as: String?.self) != wrapped)
            }
            if backend == .sqlite {
                let path = String(vault.test.url.dropFirst("sqlite://".count))
                for file in [path, path + "-wal"] {
                    let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
                    #expect(bytes.range(of: Data(wrapped.utf8)) == nil, "the wrapped key's bytes are still in \(file)")
                }
            }

            // Repeating returns the same facts and sends no second event.
            vault.clock.advance(milliseconds: 5000)
            let again = try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, reason: "withdrawn again"), token: token)
            #expect(again == shredded)
            let shreds = try await vault.outboxEvents().filter { $0.type == .confidentialDataShredded }
            #expect(shreds.count == 1)
            let event = try #require(shreds.first)
            #expect(event.actor == Actor(subject: "vault", role: .service) && event.challenge == VaultHarness.challenge)
            guard case .confidentialDataShredded(let body) = event.payload else { return }
            // The owner is sealed (who applied is secret until the deadline); the salt the
            // startup got opens it.
            let salt = try #require(Data(base64Encoded: shredded.ownerSalt))
            #expect(salt.count == 32)
            #expect(body == ConfidentialDataShredded(owner: ConfidentialDataShredded.sealOwner(VaultHarness.owner, salt: Array(salt)), refs: 2, reason: "withdrawn", requestedBy: .startup))
            let payload = String(decoding: try CanonicalJSON.encode(event), as: UTF8.self)
            #expect(!payload.contains(VaultHarness.owner.rawValue) && !payload.contains("founder"))
        }
    }

    @Test("who may shred: a startup its own, an officer naming the owner; a reason is required", arguments: Backend.allCases)
    func permissions(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            _ = try await vault.deposit("mine", owner: VaultHarness.otherOwner)
            let request = ShredRequest(challenge: VaultHarness.challenge, owner: VaultHarness.otherOwner, reason: "retention ended")
            await expectRPCError(.permissionDenied) { try await vault.call(VaultAPI.shred, request, token: try await vault.startup()) }
            let officer = try await vault.token(.officer, subject: "kari")
            let unnamed = await expectRPCError(.invalidArgument) {
                try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, reason: "retention ended"), token: officer)
            }
            #expect(unnamed?.fieldPath == "owner")
            for reason in ["", String(repeating: "x", count: 501), "with\u{0}nul"] {
                let bad = await expectRPCError(.invalidArgument) {
                    try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, owner: VaultHarness.otherOwner, reason: reason), token: officer)
                }
                #expect(bad?.fieldPath == "reason")
            }
            await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.shred, request, token: try await vault.token(.evaluator, subject: "eva"))
            }
            #expect(try await vault.count("vault_shreds") == 0)
            let done = try await vault.call(VaultAPI.shred, request, token: officer)
            #expect(done.refs == 1)
            let event = try #require(try await vault.outboxEvents().first)
            #expect(event.actor == Actor(subject: "vault", role: .service))
            guard case .confidentialDataShredded(let body) = event.payload else { Issue.record("not a shred"); return }
            #expect(body.requestedBy == .officer)
        }
    }

    @Test("nothing deposited, nothing to shred: no one (an officer least) can lock a startup out in advance", arguments: Backend.allCases)
    func shredWithoutDeposits(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            await expectRPCError(.notFound) {
                try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, owner: VaultHarness.owner, reason: "retention ended"), token: try await vault.token(.officer, subject: "kari"))
            }
            await expectRPCError(.notFound) {
                try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, reason: "withdrawn"), token: try await vault.startup())
            }
            #expect(try await vault.count("vault_shreds") == 0)
            #expect(try await vault.count("outbox") == 0)
            // The startup can still deposit (and then shred).
            _ = try await vault.deposit("my application")
            let done = try await vault.call(VaultAPI.shred, ShredRequest(challenge: VaultHarness.challenge, reason: "withdrawn"), token: try await vault.startup())
            #expect(done.refs == 1)
        }
    }
}
