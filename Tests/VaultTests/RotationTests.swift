import Foundation
import Messages
import RPC
import SQLKit
import TestServiceKit
import Testing
import Vault

/// Key rotation and rewrap: old data stays readable, Rewrap moves every data key to the new
/// KEK without touching content, and then the old KEK can go.
@Suite("Vault key rotation")
struct RotationTests {
    @Test("rotate, rewrap, drop the old key: everything still opens, byte for byte", arguments: Backend.allCases)
    func rotateAndRewrap(_ backend: Backend) async throws {
        try await VaultHarness.with(backend, ring: try VaultHarness.ring(current: 1, keys: [1: 0xA1])) { v1 in
            let contents = ["CANARY-rot: one", "CANARY-rot: two", "CANARY-rot: three"]
            var refs = [try await v1.deposit(contents[0]).ref, try await v1.deposit(contents[1], owner: VaultHarness.otherOwner).ref]
            func ciphertexts(_ vault: VaultHarness) async throws -> [String] {
                try await vault.sql.raw("SELECT ciphertext FROM vault_deposits ORDER BY ref").all().map { try $0.decode(column: "ciphertext", as: String.self) }
            }

            // Rotation: version 2 becomes current, version 1 stays to unwrap.
            let v2 = try await v1.restarted(ring: try VaultHarness.ring(current: 2, keys: [1: 0xA1, 2: 0xB2]))
            for (ref, content) in zip(refs, contents) { #expect(try await v2.open(ref).bytes == Data(content.utf8)) }
            refs.append(try await v2.deposit(contents[2], owner: VaultHarness.owner, challenge: ChallengeID("new-challenge")!).ref)
            #expect(try await v2.count("vault_data_keys", where: "kek_version = 1") == 2)
            #expect(try await v2.count("vault_data_keys", where: "kek_version = 2") == 1)

            let before = try await ciphertexts(v2)
            let operatorToken = try await v2.token(.service, subject: "tenderctl")
            await expectRPCError(.permissionDenied) { try await v2.call(VaultAPI.rewrap, RewrapRequest(), token: try await v2.token(.officer, subject: "kari")) }
            let rewrap = try await v2.call(VaultAPI.rewrap, RewrapRequest(), token: operatorToken)
            #expect(rewrap == RewrapResponse(currentKeyVersion: 2, rewrapped: 2))
            #expect(try await v2.count("vault_data_keys", where: "kek_version = 2") == 3)
            #expect(try await ciphertexts(v2) == before, "rewrap leaves the content's ciphertext as it was")
            #expect(try await v2.call(VaultAPI.rewrap, RewrapRequest(), token: operatorToken).rewrapped == 0, "nothing left to rewrap")

            // Version 1 removed: everything opens with version 2 alone.
            let v2only = try await v1.restarted(ring: try VaultHarness.ring(current: 2, keys: [2: 0xB2]))
            for (ref, content) in zip(refs, contents) { #expect(try await v2only.open(ref).bytes == Data(content.utf8)) }
            #expect(try await v2only.store.kekVersionsInUse() == [2])
        }
    }

    @Test("before a rewrap, a ring without the old key cannot read its data (and says which version is missing)", arguments: Backend.allCases)
    func droppingTooEarly(_ backend: Backend) async throws {
        try await VaultHarness.with(backend, ring: try VaultHarness.ring(current: 1, keys: [1: 0xA1])) { v1 in
            let ref = try await v1.deposit("CANARY-early").ref
            let early = try await v1.restarted(ring: try VaultHarness.ring(current: 2, keys: [2: 0xB2]))
            let error = await expectRPCError(.internal) { try await early.open(ref) }
            #expect(error?.message.contains("version 1") == true)
            #expect(try await v1.store.kekVersionsInUse() == [1])
        }
    }

    @Test("rotated(): a new random current version, the old ones kept")
    func rotatedRing() throws {
        let ring = try VaultHarness.ring(current: 1, keys: [1: 0xA1])
        let rotated = try ring.rotated()
        #expect(rotated.current == 2 && rotated.holds(version: 1) && rotated.holds(version: 2))
    }
}
