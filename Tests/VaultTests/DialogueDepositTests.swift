import Foundation
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing
import Vault

/// In a dialogue the municipality writes to a startup through the Vault: an officer or
/// negotiator deposits for the startup it names (the author in the receipt, the content in
/// the startup's key space), and the startup reads it under a grant from Negotiation.
@Suite("Vault deposits for a startup, and the startup's own reads")
struct DialogueDepositTests {
    typealias V = VaultHarness

    @Test("an officer or negotiator deposits for the named startup: its data key, the author signed into the receipt and stored", arguments: Backend.allCases)
    func authoredDeposit(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            let own = try await vault.deposit("CANARY-own: our application")
            let receiptKey = VaultReceiptKey(publicKey: vault.receiptSigner.publicKey)
            for (role, subject) in [(Role.negotiator, "nils"), (.officer, "kari")] {
                let minutes = "CANARY-minutes by \(subject): the pilot starts in May"
                let deposited = try await vault.deposit(minutes, for: V.owner, as: role, subject: subject)
                let receipt = deposited.receipt
                #expect(receipt.owner == V.owner && receipt.challenge == V.challenge && receipt.field == "minutes" && receipt.ref == deposited.ref)
                #expect(receipt.author == Actor(subject: subject, role: role))
                #expect(receipt.isSigned(by: vault.receiptSigner.publicKey))
                try receiptKey.verify(receipt, owner: V.owner, challenge: V.challenge, field: "minutes", author: Actor(subject: subject, role: role), path: "receipt")
                var stripped = receipt
                stripped.author = nil
                #expect(!stripped.isSigned(by: vault.receiptSigner.publicKey), "the author is among the signed bytes")
                var other = receipt
                other.author = Actor(subject: "mallory", role: role)
                #expect(!other.isSigned(by: vault.receiptSigner.publicKey))

                let row = try #require(try await vault.sql.raw("""
                    SELECT owner, depositor, author_subject, author_role, data_key_version FROM vault_deposits WHERE ref = \(bind: deposited.ref.rawValue)
                    """).first())
                #expect(try row.decode(column: "owner", as: String.self) == V.owner.rawValue)
                #expect(try row.decode(column: "depositor", as: String.self) == subject)
                #expect(try row.decode(column: "author_subject", as: String?.self) == subject)
                #expect(try row.decode(column: "author_role", as: String?.self) == role.rawValue)
                #expect(try row.decode(column: "data_key_version", as: Int64.self) == 1, "under the owner's one data key for the challenge")
                #expect(try await vault.open(deposited.ref, subject: "eva").bytes == Data(minutes.utf8))
            }
            #expect(try await vault.count("vault_data_keys") == 1)
            #expect(try await vault.count("vault_deposits", where: "author_subject IS NULL AND author_role IS NULL AND ref = '\(own.ref.rawValue)'") == 1)
        }
    }

    @Test("who deposits for whom: an officer or negotiator must name the owner; a startup only itself; nothing stored when refused", arguments: Backend.allCases)
    func owners(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            for role in [Role.negotiator, .officer] {
                let error = await expectRPCError(.invalidArgument, "\(role) without an owner") {
                    try await vault.call(VaultAPI.deposit, DepositRequest(challenge: V.challenge, field: "minutes", bytes: Data("m".utf8)), token: try await vault.token(role, subject: "nils"))
                }
                #expect(error?.fieldPath == "owner")
            }
            let foreign = await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.deposit, DepositRequest(challenge: V.challenge, field: "prices", bytes: Data("p".utf8), owner: V.otherOwner), token: try await vault.startup())
            }
            #expect(foreign?.message == "a startup may deposit only its own content")
            #expect(try await vault.count("vault_deposits") == 0)
            #expect(try await vault.count("vault_data_keys") == 0)

            // Naming itself is the same as naming no one: its own deposit, no author.
            let named = try await vault.call(VaultAPI.deposit, DepositRequest(challenge: V.challenge, field: "prices", bytes: Data("p".utf8), owner: V.owner), token: try await vault.startup())
            #expect(named.receipt.owner == V.owner && named.receipt.author == nil)
        }
    }

    @Test("a keyed deposit for a startup is replayed, not repeated; the same key for another owner is refused", arguments: Backend.allCases)
    func idempotency(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            let first = try await vault.deposit("minutes of round 1", for: V.owner, as: .negotiator, subject: "nils", idempotencyKey: "minutes-1")
            let again = try await vault.deposit("minutes of round 1", for: V.owner, as: .negotiator, subject: "nils", idempotencyKey: "minutes-1")
            #expect(again == first)
            let error = await expectRPCError(.failedPrecondition) {
                try await vault.deposit("minutes of round 1", for: V.otherOwner, as: .negotiator, subject: "nils", idempotencyKey: "minutes-1")
            }
            #expect(error?.message.contains("idempotency-key") == true)
            #expect(try await vault.count("vault_deposits") == 1)
        }
    }

    @Test("the owner's shred makes what others deposited for it unreadable too; after it, no one deposits for that owner", arguments: Backend.allCases)
    func shredCoversAuthoredDeposits(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            // The negotiator's deposit comes first and makes the owner's key.
            let minutes = try await vault.deposit("CANARY-shred minutes", for: V.owner, as: .negotiator, subject: "nils").ref
            let own = try await vault.deposit("CANARY-shred own").ref
            let survivor = try await vault.deposit("another startup's minutes", for: V.otherOwner, as: .negotiator, subject: "nils").ref
            let shredded = try await vault.call(VaultAPI.shred, ShredRequest(challenge: V.challenge, reason: "withdrawn"), token: try await vault.startup())
            #expect(shredded.refs == 2)
            for ref in [minutes, own] {
                let error = await expectRPCError(.failedPrecondition) { try await vault.open(ref) }
                #expect(error?.message == "\(ref) was shredded and can no longer be read")
            }
            #expect(try await vault.open(survivor).bytes == Data("another startup's minutes".utf8))

            for role in [Role.negotiator, .officer] {
                let error = await expectRPCError(.failedPrecondition) { try await vault.deposit("after the shred", for: V.owner, as: role, subject: "nils") }
                #expect(error?.message == "this startup's data for the challenge was shredded; nothing more can be deposited")
            }
            #expect(try await vault.count("vault_deposits") == 3)
        }
    }

    @Test("a startup opens its own dialogue content under a grant from Negotiation: recorded like any read, reader role startup", arguments: Backend.allCases)
    func startupReadsItsOwn(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            let minutes = "CANARY-read: minutes of round 2"
            let ref = try await vault.deposit(minutes, for: V.owner, as: .negotiator, subject: "nils").ref
            let token = try await vault.startup()
            vault.clock.advance(milliseconds: 1000)
            let opened = try await vault.call(VaultAPI.open, OpenRequest(ref: ref, grant: try await vault.dialogueGrant(ref, subject: "founder", role: .startup)), token: token)
            #expect(opened.bytes == Data(minutes.utf8) && opened.owner == V.owner && opened.field == "minutes")

            let accesses = try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(), token: token).accesses
            #expect(accesses.count == 1)
            let access = try #require(accesses.first)
            #expect(access.access == opened.access && access.ref == ref && access.reader == Actor(subject: "founder", role: .startup))
            #expect(access.issuer == "negotiation" && access.purpose == "dialogue" && access.time == vault.clock.now())
            let events = try await vault.outboxEvents()
            #expect(events.count == 1)
            guard case .confidentialDataAccessed(let body)? = events.first?.payload else {
                Issue.record("expected confidential_data.accessed")
                return
            }
            #expect(body.reader == Actor(subject: "founder", role: .startup) && body.owner == V.owner && body.ref == ref && body.grant == access.grant)

            // Its own application, too: the grant decides what it may open, the owner whose.
            let application = try await vault.deposit("CANARY-read: our application").ref
            #expect(try await vault.call(VaultAPI.open, OpenRequest(ref: application, grant: try await vault.dialogueGrant(application, subject: "founder", role: .startup)), token: token).bytes == Data("CANARY-read: our application".utf8))
            #expect(try await vault.count("vault_accesses") == 2)
        }
    }

    @Test("a startup cannot open another startup's content, even with a valid grant naming it; nothing is recorded", arguments: Backend.allCases)
    func startupCannotReadAnothers(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            let theirs = try await vault.deposit("CANARY-foreign: their prices", owner: V.otherOwner).ref
            let minutesForThem = try await vault.deposit("CANARY-foreign: their minutes", for: V.otherOwner, as: .negotiator, subject: "nils").ref
            let token = try await vault.startup(V.owner, subject: "founder")
            for ref in [theirs, minutesForThem] {
                let grant = try await vault.dialogueGrant(ref, subject: "founder", role: .startup)
                let error = await expectRPCError(.permissionDenied) { try await vault.call(VaultAPI.open, OpenRequest(ref: ref, grant: grant), token: token) }
                #expect(error?.message == "access grant refused: a startup may read only its own content")
                #expect(error?.message.contains("CANARY") == false)
            }
            // Shredded content of another is refused the same way: its state is not the caller's to learn.
            _ = try await vault.call(VaultAPI.shred, ShredRequest(challenge: V.challenge, reason: "withdrawn"), token: try await vault.startup(V.otherOwner, subject: "other-founder"))
            await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.open, OpenRequest(ref: theirs, grant: try await vault.dialogueGrant(theirs, subject: "founder", role: .startup)), token: token)
            }
            #expect(try await vault.count("vault_accesses") == 0)
            #expect(try await vault.outboxEvents().allSatisfy { $0.type != .confidentialDataAccessed })
        }
    }

    @Test("Evaluation may not grant a startup: only Negotiation's grants name role startup by default", arguments: Backend.allCases)
    func evaluationCannotGrantStartup(_ backend: Backend) async throws {
        try await V.with(backend) { vault in
            let ref = try await vault.deposit("CANARY-eval-startup").ref
            let grant = try await vault.grant(ref, subject: "founder", role: .startup, purpose: "evaluation")
            let error = await expectRPCError(.permissionDenied) { try await vault.call(VaultAPI.open, OpenRequest(ref: ref, grant: grant), token: try await vault.startup()) }
            #expect(error?.message == "access grant refused: its issuer may not grant the role startup")
            // Nor an officer's token a startup's read: the grant's role must be the caller's.
            let asOfficer = await expectRPCError(.permissionDenied) {
                try await vault.call(VaultAPI.open, OpenRequest(ref: ref, grant: try await vault.dialogueGrant(ref, subject: "kari", role: .startup)), token: try await vault.token(.officer, subject: "kari"))
            }
            #expect(asOfficer?.message == "access grant refused: names a role the caller does not hold")
            #expect(try await vault.count("vault_accesses") == 0)
        }
    }
}
