import Foundation
import Intake
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Tenders are confidential until the deadline and opened together afterwards: until intake
/// closes, the record names no applicant and holds no Vault salt; the closing opens every seal.
@Suite("Applicants sealed until the deadline")
struct SealingTests {
    @Test("before the closing no event names an applicant or holds a Vault salt; after it every application.received is opened", arguments: Backend.allCases)
    func sealedUntilTheClosing(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let names = ["Fjordlys AS", "Bybris AS", "Seinsmart AS", "Nordlys Data AS"]
            // Subjects that name the organisation, as the local stack's tokens do.
            var startups: [RPCClient] = []
            for org in Fixtures.organisations.prefix(names.count) {
                startups.append(try await intake.client(.startup, subject: "startup-\(org)", organisation: org))
            }
            var receipts: [ApplicationReceipt] = []
            var vaultSalts: [String] = []
            for (i, name) in names.enumerated() {
                let confidential = try intake.receipt(for: i, challenge: challenge)
                vaultSalts.append(confidential.commitment.salt)
                receipts.append(try await startups[i].call(IntakeAPI.submitApplication, SubmitApplicationRequest(
                    challenge: challenge, application: Fixtures.publicPart(name), confidential: confidential)))
            }
            // Bybris renames itself and replaces its confidential part; Seinsmart withdraws.
            let replacement = try intake.receipt(for: 1, challenge: challenge)
            vaultSalts.append(replacement.commitment.salt)
            _ = try await startups[1].call(IntakeAPI.amendApplication, AmendApplicationRequest(
                application: receipts[1].application, publicPart: Fixtures.publicPart("Bybris Robotics AS"), confidential: replacement))
            _ = try await startups[2].call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: receipts[2].application, reason: "Team changed"))

            let revealing = names + ["Bybris Robotics AS"] + Fixtures.organisations.prefix(names.count).map(\.rawValue)
            let open = try await intake.events()
            #expect(open.map(\.type) == [.challengePublished, .applicationReceived, .applicationReceived, .applicationReceived, .applicationReceived, .applicationAmended, .applicationWithdrawn])
            for event in open {
                let json = String(decoding: try event.canonicalBytes(), as: UTF8.self)
                for text in revealing + vaultSalts {
                    #expect(!json.contains(text), "\(event.type) holds \(text)")
                }
            }

            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            let (_, closing) = try await intake.newEvents { try await intake.intake.closeDueChallenges() }
            guard case .intakeClosed(let closed) = try #require(closing.first).payload else {
                Issue.record("expected intake.closed, got \(closing.map(\.type))")
                return
            }
            // In order of receipt, withdrawn ones too, with the name sealed at submission.
            #expect(closed.applicants.map(\.application) == receipts.map(\.application))
            #expect(closed.applicants.map(\.orgNumber) == Array(Fixtures.organisations.prefix(names.count)))
            #expect(closed.applicants.map(\.companyName) == names)
            #expect(closed.applicants.map(\.status) == [.standing, .standing, .withdrawn, .standing])
            let received = open.compactMap { event -> ApplicationReceived? in
                if case .applicationReceived(let received) = event.payload { received } else { nil }
            }
            #expect(received.count == closed.applicants.count)
            for applicant in received {
                let opening = try #require(closed.applicants.first { $0.application == applicant.application })
                #expect(opening.opens(applicant.applicant), "\(opening.companyName)")
                // Anyone can recompute the seal from the opened values alone.
                let salt = try #require(Data(base64Encoded: opening.salt))
                let bytes = Data("{\"companyName\":\"\(opening.companyName)\",\"orgNumber\":\"\(opening.orgNumber)\"}".utf8)
                #expect(Messages.Digest.salted(bytes, salt: Array(salt)) == applicant.applicant)
            }
            var renamed = try #require(closed.applicants.first { $0.application == receipts[1].application })
            renamed.companyName = "Bybris Robotics AS"
            #expect(!renamed.opens(received[1].applicant), "the name after the amendment is not what was sealed")
            // No event, the opening included, holds a Vault salt.
            for event in try await intake.events() {
                let json = String(decoding: try event.canonicalBytes(), as: UTF8.self)
                for salt in vaultSalts { #expect(!json.contains(salt), "\(event.type) holds a Vault salt") }
            }
        }
    }

    @Test("migration 3 gives applications received before it a salt of 32 random bytes each", arguments: Backend.allCases)
    func migrationGivesEarlierApplicationsASalt(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            try await test.database.migrate(component: IntakeMigrations.component, Array(IntakeMigrations.all.prefix(2)))
            for id in ["app-1", "app-2"] {
                try await test.database.sql.raw("""
                    INSERT INTO intake_applications (id, challenge_id, org, status, public_part, version, commitment, salt, vault_ref, digest, received_at, updated_at)
                    VALUES (\(bind: id), 'c', \(bind: id), 'received', '{}', 1, 'sha256:', '', 'vref_', 'sha256:', 0, 0)
                    """).run()
            }
            try await test.database.migrate(component: IntakeMigrations.component, IntakeMigrations.all)
            #expect(try await test.database.appliedMigrations(component: IntakeMigrations.component) == [1, 2, 3])
            let salts = try await test.database.sql.raw("SELECT applicant_salt FROM intake_applications ORDER BY id").all()
                .map { try #require(Data(base64Encoded: try $0.decode(column: "applicant_salt", as: String.self))) }
            #expect(salts.count == 2 && salts.allSatisfy { $0.count == 32 } && salts[0] != salts[1])
        }
    }
}
