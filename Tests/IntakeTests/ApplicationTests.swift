import Crypto
import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// Applications: the deadline to the millisecond, one per organisation, receipts, and a
/// startup seeing only its own.
@Suite("Applications")
struct ApplicationTests {
    @Test("submit at deadline − 1 ms and at the deadline: accepted with the server's time and a digest of what was received", arguments: Backend.allCases)
    func inTime(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            for (index, time) in [(0, Fixtures.applicationDeadline.adding(milliseconds: -1)), (1, Fixtures.applicationDeadline)] {
                intake.clock.set(time)
                let confidential = try intake.receipt(for: index, challenge: challenge)
                let (receipt, events) = try await intake.newEvents {
                    try await intake.startup(index).call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: confidential))
                }
                #expect(receipt.receivedAt == time && receipt.version == 1 && receipt.orgNumber == Fixtures.organisations[index])
                #expect(receipt.commitment == confidential.commitment && receipt.vaultRef == confidential.ref)
                #expect(receipt.digest == (try ApplicationDigestCheck.digest(receipt, part: Fixtures.publicPart())))
                #expect(events.map(\.type) == [.applicationReceived])
                let event = try #require(events.first)
                // Intake records the receipt: the startup's subject could name who applied.
                #expect(event.time == time && event.actor == Actor(subject: "intake", role: .service))
                // Who applied is sealed with the salt Intake keeps until the closing; of the
                // Vault's commitment only the digest, never the salt.
                let salt = try #require(try await intake.applicantSalts()[receipt.application])
                #expect(event.payload == .applicationReceived(ApplicationReceived(
                    application: receipt.application,
                    applicant: try SealedApplicant.seal(orgNumber: Fixtures.organisations[index], companyName: "Fjordlys AS", salt: salt),
                    commitment: confidential.commitment.digest, vaultRef: confidential.ref)))
            }
            let salts = try await intake.applicantSalts()
            #expect(Set(salts.values).count == 2 && salts.values.allSatisfy { $0.count == 32 })
        }
    }

    @Test("submit at deadline + 1 ms: failed_precondition, an application.rejected_late event and the late count — nothing of the submission kept", arguments: Backend.allCases)
    func late(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let late = Fixtures.applicationDeadline.adding(milliseconds: 1)
            intake.clock.set(late)
            let canary = "CANARY-late-summary-7f3a"
            let (error, events) = try await intake.newEvents {
                await refusal { try await intake.submit(0, to: challenge, part: Fixtures.publicPart(summary: canary)) }
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error.map { !$0.message.contains(canary) } == true)
            #expect(events.map(\.type) == [.applicationRejectedLate])
            #expect(events.first?.payload == .applicationRejectedLate(ApplicationRejectedLate(orgNumber: Fixtures.organisations[0], receivedAt: late, deadline: Fixtures.applicationDeadline)))
            #expect(events.first?.actor == Actor(subject: "founder-0", role: .startup))
            #expect(try await intake.officer().call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challenge, includeWithdrawn: true)).applications.isEmpty)
            #expect(!(try await intake.fingerprint()).contains(canary), "nothing of the late submission is stored")
            intake.clock.set(late.adding(days: 1))
            _ = await refusal { try await intake.submit(1, to: challenge) }
            let summary = try await intake.officer().call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge))
            #expect(summary.rejectedLate == 2 && summary.applications == 0)
        }
    }

    @Test("a late submission is recorded once per organisation, and only with the Vault's receipt: no one can fill the record with refusals", arguments: Backend.allCases)
    func lateRecordedOnce(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            let (_, first) = try await intake.newEvents {
                await refusal { try await intake.submit(0, to: challenge) }
            }
            #expect(first.map(\.type) == [.applicationRejectedLate])
            // The same organisation again, and again: refused, not recorded again.
            let (again, repeated) = try await intake.newEvents {
                await refusal { try await intake.submit(0, to: challenge) }
            }
            #expect(again?.code == .failedPrecondition)
            #expect(repeated.isEmpty)
            // Another organisation with a receipt that is not its own (startup 0's), or one
            // signed by another key: refused as late, nothing recorded.
            let (foreign, foreignEvents) = try await intake.newEvents {
                await refusal {
                    _ = try await intake.startup(2).call(IntakeAPI.submitApplication, SubmitApplicationRequest(
                        challenge: challenge, application: Fixtures.publicPart(), confidential: try intake.receipt(for: 0, challenge: challenge)))
                }
            }
            #expect(foreign?.code == .failedPrecondition)
            #expect(foreignEvents.isEmpty)
            let forged = try Fixtures.receipt(owner: Fixtures.organisations[3], challenge: challenge, key: Curve25519.Signing.PrivateKey())
            let (_, forgedEvents) = try await intake.newEvents {
                await refusal {
                    _ = try await intake.startup(3).call(IntakeAPI.submitApplication, SubmitApplicationRequest(
                        challenge: challenge, application: Fixtures.publicPart(), confidential: forged))
                }
            }
            #expect(forgedEvents.isEmpty)
            intake.clock.set(Fixtures.applicationDeadline.adding(days: 1))
            let summary = try await intake.officer().call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge))
            #expect(summary.rejectedLate == 1)
        }
    }

    @Test("amend and withdraw through the deadline's millisecond, refused one after with nothing changed", arguments: Backend.allCases)
    func amendAndWithdrawEdges(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let first = try await intake.submit(0, to: challenge)
            let second = try await intake.submit(1, to: challenge)
            let startup0 = try await intake.startup(0)
            let startup1 = try await intake.startup(1)

            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: -1))
            let newReceipt = try intake.receipt(for: 0, challenge: challenge)
            let (amended, amendEvents) = try await intake.newEvents {
                try await startup0.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: first.application, publicPart: Fixtures.publicPart(budget: Money(kroner: 450_000)), confidential: newReceipt))
            }
            #expect(amended.version == 2 && amended.receivedAt == Fixtures.applicationDeadline.adding(milliseconds: -1))
            #expect(amended.vaultRef == newReceipt.ref && amended.digest != first.digest)
            #expect(amended.digest == (try ApplicationDigestCheck.digest(amended, part: Fixtures.publicPart(budget: Money(kroner: 450_000)))))
            #expect(amendEvents.map(\.payload) == [.applicationAmended(ApplicationAmended(application: first.application, version: 2, commitment: newReceipt.commitment.digest, vaultRef: newReceipt.ref))])
            #expect(amendEvents.map(\.actor) == [Actor(subject: "intake", role: .service)])

            intake.clock.set(Fixtures.applicationDeadline)
            let keepsConfidential = try await startup0.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: first.application, publicPart: Fixtures.publicPart()))
            #expect(keepsConfidential.version == 3 && keepsConfidential.vaultRef == newReceipt.ref)
            let (withdrawn, withdrawEvents) = try await intake.newEvents {
                try await startup1.call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: second.application, reason: "Team changed"))
            }
            #expect(withdrawn.status == .withdrawn && withdrawn.withdrawnAt == Fixtures.applicationDeadline)
            #expect(withdrawEvents.map(\.payload) == [.applicationWithdrawn(ApplicationWithdrawn(application: second.application, reason: "Team changed"))])
            #expect(withdrawEvents.map(\.actor) == [Actor(subject: "intake", role: .service)])

            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await startup0.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: first.application, publicPart: Fixtures.publicPart()))
            }
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await startup0.call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: first.application))
            }
        }
    }

    @Test("one application per organisation per challenge, even after withdrawal; a withdrawn one cannot be amended", arguments: Backend.allCases)
    func duplicates(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let receipt = try await intake.submit(0, to: challenge)
            try await intake.expectRefusal(.alreadyExists) { try await intake.submit(0, to: challenge) }
            _ = try await intake.startup(0).call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: receipt.application))
            try await intake.expectRefusal(.alreadyExists) { try await intake.submit(0, to: challenge) }
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await intake.startup(0).call(IntakeAPI.amendApplication, AmendApplicationRequest(application: receipt.application, publicPart: Fixtures.publicPart()))
            }
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await intake.startup(0).call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: receipt.application))
            }
            // Another challenge is another competition.
            let other = try await intake.publishedChallenge("smart-lighting")
            try await intake.submit(0, to: other)
        }
    }

    @Test("forged and foreign receipts are refused and nothing is stored", arguments: Backend.allCases)
    func receipts(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let org = Fixtures.organisations[0]
            let vaultKeyID = VaultReceiptKeyID.of(intake.vaultKey)
            let cases: [(DepositReceipt, ErrorCode, String?)] = [
                (try Fixtures.receipt(owner: org, challenge: challenge, key: Curve25519.Signing.PrivateKey(), keyID: vaultKeyID), .invalidArgument, "confidential.signature"),
                (try Fixtures.receipt(owner: org, challenge: challenge, key: Curve25519.Signing.PrivateKey()), .invalidArgument, "confidential.keyID"),
                (try Fixtures.receipt(owner: Fixtures.organisations[1], challenge: challenge, key: intake.vaultKey), .permissionDenied, nil),
                (try Fixtures.receipt(owner: org, challenge: ChallengeID("smart-lighting")!, key: intake.vaultKey), .invalidArgument, "confidential.challenge"),
            ]
            for (receipt, code, field) in cases {
                try await intake.expectRefusal(code, field: field) {
                    _ = try await intake.startup(0).call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: receipt))
                }
            }
            let application = try await intake.submit(0, to: challenge)
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await intake.startup(0).call(IntakeAPI.amendApplication, AmendApplicationRequest(
                    application: application.application, publicPart: Fixtures.publicPart(),
                    confidential: try Fixtures.receipt(owner: Fixtures.organisations[1], challenge: challenge, key: intake.vaultKey)))
            }
        }
    }

    @Test("a receipt for content someone else deposited for the startup (an author named) is refused on submit and amend; nothing stored", arguments: Backend.allCases)
    func authoredReceipts(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let org = Fixtures.organisations[0]
            for role in [Role.negotiator, .officer] {
                // Genuinely the Vault's, for this organisation and challenge — but not its own deposit.
                let authored = try Fixtures.receipt(owner: org, challenge: challenge, key: intake.vaultKey, author: Actor(subject: "nils", role: role))
                #expect(authored.isSigned(by: intake.vaultKey.publicKey))
                let error = try await intake.expectRefusal(.invalidArgument, field: "confidential.author") {
                    _ = try await intake.startup(0).call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: authored))
                }
                #expect(error?.message.contains("nils") == true, "\(error?.message ?? "")")
            }

            let application = try await intake.submit(0, to: challenge)
            try await intake.expectRefusal(.invalidArgument, field: "confidential.author") {
                _ = try await intake.startup(0).call(IntakeAPI.amendApplication, AmendApplicationRequest(
                    application: application.application, publicPart: Fixtures.publicPart(summary: "Sensors in every bin, and routes."),
                    confidential: try Fixtures.receipt(owner: org, challenge: challenge, key: intake.vaultKey, author: Actor(subject: "nils", role: .negotiator))))
            }
            let stored = try await intake.startup(0).call(IntakeAPI.getApplication, GetApplicationRequest(application: application.application))
            #expect(stored.version == 1 && stored.vaultRef == application.vaultRef)
        }
    }

    @Test("public-part violations name the field; the budget cap is the challenge's", arguments: Backend.allCases)
    func publicPart(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            try await intake.expectRefusal(.invalidArgument, field: "application.requestedBudget") {
                try await intake.submit(0, to: challenge, part: Fixtures.publicPart(budget: Money(kroner: 2_000_001)))
            }
            try await intake.expectRefusal(.invalidArgument, field: "application.solutionSummary") {
                try await intake.submit(0, to: challenge, part: Fixtures.publicPart(summary: ""))
            }
            let receipt = try await intake.submit(0, to: challenge, part: Fixtures.publicPart(budget: Money(kroner: 2_000_000)))
            try await intake.expectRefusal(.invalidArgument, field: "publicPart.contact.email") {
                var part = Fixtures.publicPart()
                part.contact.email = "kari"
                _ = try await intake.startup(0).call(IntakeAPI.amendApplication, AmendApplicationRequest(application: receipt.application, publicPart: part))
            }
        }
    }

    @Test("a startup reads only its own application; officers, auditors and services read all", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let mine = try await intake.submit(0, to: challenge)
            let theirs = try await intake.submit(1, to: challenge)
            let withdrawn = try await intake.submit(2, to: challenge)
            _ = try await intake.startup(2).call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: withdrawn.application))
            let startup = try await intake.startup(0)

            #expect(try await startup.call(IntakeAPI.getApplication, GetApplicationRequest(application: mine.application)).orgNumber == Fixtures.organisations[0])
            try await intake.expectRefusal(.permissionDenied) { _ = try await startup.call(IntakeAPI.getApplication, GetApplicationRequest(application: theirs.application)) }
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await startup.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: theirs.application, publicPart: Fixtures.publicPart()))
            }
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await startup.call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: theirs.application))
            }
            try await intake.expectRefusal(.notFound) { _ = try await startup.call(IntakeAPI.getApplication, GetApplicationRequest(application: ApplicationID())) }
            #expect(try await startup.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challenge, includeWithdrawn: true)).applications.map(\.id) == [mine.application])

            for reader in [try await intake.officer(), try await intake.client(.auditor), try await intake.client(.service, subject: "evaluation")] {
                #expect(try await reader.call(IntakeAPI.getApplication, GetApplicationRequest(application: theirs.application)).id == theirs.application)
                #expect(try await reader.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challenge)).applications.map(\.id) == [mine.application, theirs.application])
                #expect(try await reader.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challenge, includeWithdrawn: true)).applications.map(\.id) == [mine.application, theirs.application, withdrawn.application])
            }
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await intake.client(.evaluator).call(IntakeAPI.getApplication, GetApplicationRequest(application: theirs.application))
            }
        }
    }

    @Test("an invalid organisation number is refused, in the token and in the request", arguments: Backend.allCases)
    func invalidOrganisationNumbers(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let token = try RawToken.signed(claims: [
                "sub": "founder-x", "roles": ["startup"], "org": "123456789", "aud": ["tenderdialogue"],
                "exp": Int(Date().timeIntervalSince1970) + 600,
            ], seedBase64: intake.environment.issuer.seedBase64)
            let receipt = try intake.receipt(for: 0, challenge: challenge)
            try await intake.expectRefusal(.unauthenticated) {
                _ = try await intake.client(token: token).call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: receipt))
            }
            // A startup token without any organisation is refused too.
            let noOrg = try RawToken.signed(claims: [
                "sub": "founder-y", "roles": ["startup"], "aud": ["tenderdialogue"], "exp": Int(Date().timeIntervalSince1970) + 600,
            ], seedBase64: intake.environment.issuer.seedBase64)
            let noOrgError = await refusal {
                _ = try await intake.client(token: noOrg).call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: receipt))
            }
            #expect(noOrgError?.code == .unauthenticated || noOrgError?.code == .permissionDenied)

            // In a request: the buyer's number and the receipt's owner are checked on decoding.
            var json = String(decoding: try CanonicalJSON.encode(CreateChallengeRequest(terms: Fixtures.terms())), as: UTF8.self)
            json = json.replacingOccurrences(of: "974760673", with: "974760674")
            let officer = try await intake.officer()
            try await intake.expectRefusal(.invalidArgument, field: "terms.buyer.orgNumber") {
                _ = try await officer.call(RawJSON.method(like: IntakeAPI.createChallenge), try RawJSON.value(json))
            }
            var submit = String(decoding: try CanonicalJSON.encode(SubmitApplicationRequest(challenge: challenge, application: Fixtures.publicPart(), confidential: receipt)), as: UTF8.self)
            submit = submit.replacingOccurrences(of: Fixtures.organisations[0].rawValue, with: "123456789")
            try await intake.expectRefusal(.invalidArgument, field: "confidential.owner") {
                _ = try await intake.startup(0).call(RawJSON.method(like: IntakeAPI.submitApplication), try RawJSON.value(submit))
            }
        }
    }

    @Test("every state change enqueues exactly one event of its type; refusals none", arguments: Backend.allCases)
    func oneEventPerChange(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let officer = try await intake.officer()
            let startup = try await intake.startup(0)
            let draft = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
            let challenge = draft.id
            _ = try await officer.call(IntakeAPI.updateDraft, UpdateDraftRequest(challenge: challenge, revision: 1, terms: Fixtures.terms()))
            #expect(try await intake.events().isEmpty)
            _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: challenge))
            _ = try await startup.call(IntakeAPI.registerInterest, RegisterInterestRequest(challenge: challenge, companyName: "Fjordlys AS", contact: Contact(name: "Kari", email: "k@f.no")))
            let question = try await startup.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "?"))
            _ = try await officer.call(IntakeAPI.answerQuestion, AnswerQuestionRequest(challenge: challenge, questionID: question.id, answer: "!"))
            _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "r", changes: "c"))
            let receipt = try await intake.submit(0, to: challenge)
            _ = try await startup.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: receipt.application, publicPart: Fixtures.publicPart()))
            _ = try await intake.submit(1, to: challenge)
            _ = try await intake.startup(1).call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: try await intake.startup(1).call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challenge)).applications[0].id))
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            _ = await refusal { try await intake.submit(2, to: challenge) }
            _ = try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge))
            let events = try await intake.events()
            #expect(events.map(\.type) == [
                .challengePublished, .interestRegistered, .questionAnswered, .challengeAmended, .applicationReceived,
                .applicationAmended, .applicationReceived, .applicationWithdrawn, .applicationRejectedLate, .intakeClosed,
            ])
            #expect(Set(events.map(\.id)).count == events.count)
            #expect(events.allSatisfy { $0.challenge == challenge })
        }
    }
}

enum VaultReceiptKeyID {
    static func of(_ key: Curve25519.Signing.PrivateKey) -> String {
        String(Array(SHA256.hash(data: key.publicKey.rawRepresentation)).hexString.prefix(16))
    }
}

enum ApplicationDigestCheck {
    /// The digest recomputed from the receipt's own fields, as a startup would.
    static func digest(_ receipt: ApplicationReceipt, part: ApplicationPublicPart) throws -> Messages.Digest {
        struct Received: Encodable {
            var challenge: ChallengeID, orgNumber: OrgNumber, publicPart: ApplicationPublicPart, commitment: SaltedDigest, vaultRef: VaultRef, version: Int
        }
        return Messages.Digest.sha256(try CanonicalJSON.encode(Received(
            challenge: receipt.challenge, orgNumber: receipt.orgNumber, publicPart: part, commitment: receipt.commitment, vaultRef: receipt.vaultRef, version: receipt.version)))
    }
}

/// Requests as arbitrary JSON, to send what the typed requests cannot hold (an invalid
/// organisation number) to a method's path.
enum RawJSON {
    static func method<Request, Response>(like method: Method<Request, Response>) -> Method<JSONValue, Response> {
        Method(service: method.descriptor.service, name: method.descriptor.name, kind: method.descriptor.kind, access: method.descriptor.access)
    }

    static func value(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }
}
