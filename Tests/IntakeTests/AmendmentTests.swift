import Messages
import RPC
import TestServiceKit
import Testing

/// Amendments: numbered, announced to exactly the registered startups, extending and never
/// shortening the deadline, never touching the frozen terms.
@Suite("Amendments and interest")
struct AmendmentTests {
    @Test("an amendment is numbered, announced to exactly the registered startups, and extends the deadline", arguments: Backend.allCases)
    func amendAndExtend(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let officer = try await intake.officer()
            for index in [0, 1] {
                let (interest, events) = try await intake.newEvents {
                    try await intake.startup(index).call(IntakeAPI.registerInterest, RegisterInterestRequest(
                        challenge: challenge, companyName: "Company \(index) AS", contact: Contact(name: "Kari", email: "kari@example.no")))
                }
                #expect(interest.orgNumber == Fixtures.organisations[index])
                #expect(events.map(\.type) == [.interestRegistered])
                #expect(events.first?.actor == Actor(subject: "founder-\(index)", role: .startup))
            }
            // Registering again returns the first registration and records nothing.
            let (again, repeated) = try await intake.newEvents {
                try await intake.startup(0).call(IntakeAPI.registerInterest, RegisterInterestRequest(
                    challenge: challenge, companyName: "Renamed AS", contact: Contact(name: "Kari", email: "kari@example.no")))
            }
            #expect(again.companyName == "Company 0 AS" && repeated.isEmpty)

            let extended = Fixtures.applicationDeadline.adding(days: 5)
            let (first, events) = try await intake.newEvents {
                try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(
                    challenge: challenge, reason: "Questions showed the deadline is too short", changes: "Deadline moved five days", newApplicationDeadline: extended))
            }
            #expect(first.number == 1 && first.notified == 2 && first.publishedAt == Fixtures.start)
            #expect(events.map(\.type) == [.challengeAmended])
            #expect(events.first?.payload == .challengeAmended(ChallengeAmended(number: 1, reason: first.reason, changes: first.changes, newApplicationDeadline: extended)))
            let second = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "Typo", changes: "Contact e-mail corrected"))
            #expect(second.number == 2)

            for index in [0, 1] {
                let notices = try await intake.startup(index).call(IntakeAPI.listNotices, ListNoticesRequest(challenge: challenge)).notices
                #expect(notices.map(\.amendment.number) == [1, 2])
            }
            #expect(try await intake.startup(2).call(IntakeAPI.listNotices, ListNoticesRequest(challenge: challenge)).notices.isEmpty, "not registered, not notified")

            let seen = try await intake.client(token: nil).call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: challenge))
            #expect(seen.timeline.applicationDeadline == extended)
            #expect(seen.terms == Fixtures.terms(), "the published terms stand as published")
            #expect(seen.amendments.map(\.number) == [1, 2])

            // After the old deadline, before the new one: accepted.
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            let receipt = try await intake.submit(3, to: challenge)
            #expect(receipt.receivedAt == Fixtures.applicationDeadline.adding(milliseconds: 1))
            intake.clock.set(extended.adding(milliseconds: 1))
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "Too late", changes: "Nothing"))
            }
        }
    }

    @Test("shortening a deadline is refused and changes nothing", arguments: Backend.allCases)
    func shortening(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let officer = try await intake.officer()
            for deadline in [Fixtures.applicationDeadline.adding(milliseconds: -1), Fixtures.applicationDeadline] {
                try await intake.expectRefusal(.invalidArgument, field: "newApplicationDeadline") {
                    _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "r", changes: "c", newApplicationDeadline: deadline))
                }
            }
            try await intake.expectRefusal(.invalidArgument, field: "newQuestionsDeadline") {
                _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "r", changes: "c", newQuestionsDeadline: Fixtures.questionsDeadline.adding(days: -1)))
            }
            try await intake.expectRefusal(.invalidArgument, field: "reason") {
                _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: challenge, reason: "", changes: "c"))
            }
            let draft = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(IntakeAPI.amendChallenge, AmendChallengeRequest(challenge: draft.id, reason: "r", changes: "c"))
            }
        }
    }

    @Test("interest: a startup with an organisation, a published challenge, before the deadline", arguments: Backend.allCases)
    func interestRules(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let request = RegisterInterestRequest(challenge: challenge, companyName: "Fjordlys AS", contact: Contact(name: "Kari", email: "kari@fjordlys.no"))
            try await intake.expectRefusal(.permissionDenied) { _ = try await intake.officer().call(IntakeAPI.registerInterest, request) }
            try await intake.expectRefusal(.notFound) {
                _ = try await intake.startup(0).call(IntakeAPI.registerInterest, RegisterInterestRequest(challenge: ChallengeID("nope")!, companyName: "A", contact: request.contact))
            }
            try await intake.expectRefusal(.invalidArgument, field: "contact.email") {
                _ = try await intake.startup(0).call(IntakeAPI.registerInterest, RegisterInterestRequest(challenge: challenge, companyName: "A", contact: Contact(name: "Kari", email: "no-at-sign")))
            }
            intake.clock.set(Fixtures.applicationDeadline)
            _ = try await intake.startup(0).call(IntakeAPI.registerInterest, request)
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            try await intake.expectRefusal(.failedPrecondition) { _ = try await intake.startup(1).call(IntakeAPI.registerInterest, request) }
        }
    }
}
