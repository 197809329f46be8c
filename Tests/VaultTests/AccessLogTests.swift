import Foundation
import Messages
import RPC
import SQLKit
import TestServiceKit
import Testing
import Vault

/// Every read is recorded durably before plaintext leaves (fail closed), and each startup
/// sees the reads of its own data only.
@Suite("Vault access log")
struct AccessLogTests {
    @Test("when the access record cannot be written, Open is refused and returns nothing", arguments: Backend.allCases)
    func failClosed(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let ref = try await vault.deposit("CANARY-failclosed: the secret sauce").ref
            try await vault.sql.raw("DROP TABLE vault_accesses").run()
            let error = await expectRPCError(.unavailable) { try await vault.open(ref) }
            #expect(error?.message.contains("CANARY") == false)
            #expect(try await vault.count("outbox") == 0, "no event without its access record")
        }
    }

    @Test("when the event cannot be enqueued, Open is refused and no access row is left", arguments: Backend.allCases)
    func failClosedOnOutbox(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let ref = try await vault.deposit("CANARY-outbox").ref
            try await vault.sql.raw("DROP TABLE outbox").run()
            await expectRPCError(.unavailable) { try await vault.open(ref) }
            #expect(try await vault.count("vault_accesses") == 0)
        }
    }

    @Test("each startup lists only the reads of its own data; auditors name the owner", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let a1 = try await vault.deposit("a one").ref
            let a2 = try await vault.deposit("a two", field: "finances").ref
            let b1 = try await vault.deposit("b one", owner: VaultHarness.otherOwner).ref
            var expected: [String] = []
            for ref in [a1, b1, a2, a1] {
                let access = try await vault.open(ref).access
                if ref != b1 { expected.append(access) }
                vault.clock.advance(milliseconds: 10)
            }
            let startupA = try await vault.startup()
            let startupB = try await vault.startup(VaultHarness.otherOwner, subject: "other-founder")
            let own = try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(), token: startupA).accesses
            #expect(own.map(\.access) == expected, "own reads, oldest first")
            #expect(own.allSatisfy { $0.ref != b1 })
            #expect(try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(owner: VaultHarness.owner), token: startupA).accesses == own)
            #expect(try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(ref: a1), token: startupA).accesses.map(\.ref) == [a1, a1])
            #expect(try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(ref: b1), token: startupA).accesses.isEmpty, "another's ref shows nothing")
            await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(owner: VaultHarness.owner), token: startupB)
            }
            #expect(try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(), token: startupB).accesses.map(\.ref) == [b1])

            let auditor = try await vault.token(.auditor, subject: "riksrevisjonen")
            let unnamed = await expectRPCError(.invalidArgument) { try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(), token: auditor) }
            #expect(unnamed?.fieldPath == "owner")
            #expect(try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(owner: VaultHarness.owner), token: auditor).accesses == own)
            await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(owner: VaultHarness.owner), token: try await vault.token(.evaluator, subject: "eva"))
            }
        }
    }
}
