import Foundation
import Intake
import Messages
import RPC
import TestServiceKit
import Testing

/// Closing intake: never before the deadline has passed, once, by an officer or by itself.
@Suite("Closing intake")
struct ClosingTests {
    @Test("closing is refused through the deadline's millisecond; after it the counts are right and closing again returns the same", arguments: Backend.allCases)
    func officerCloses(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let officer = try await intake.officer()
            let first = try await intake.submit(0, to: challenge)
            let withdrawn = try await intake.submit(1, to: challenge, part: Fixtures.publicPart("Bybris AS"))
            let third = try await intake.submit(2, to: challenge, part: Fixtures.publicPart("Seinsmart AS"))
            _ = try await intake.startup(1).call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: withdrawn.application))
            for time in [Fixtures.start, Fixtures.applicationDeadline] {
                intake.clock.set(time)
                try await intake.expectRefusal(.failedPrecondition) { _ = try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge)) }
            }
            #expect(try await intake.intake.closeDueChallenges().isEmpty, "nothing is due at the deadline itself")
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            _ = await refusal { try await intake.submit(3, to: challenge) }
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 2))

            let (summary, events) = try await intake.newEvents { try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge)) }
            #expect(summary == IntakeSummary(challenge: challenge, deadline: Fixtures.applicationDeadline, applications: 2, withdrawn: 1, rejectedLate: 1, closedAt: Fixtures.applicationDeadline.adding(milliseconds: 2)))
            // The closing opens every application received, withdrawn ones too, in order of
            // receipt, with the salt that sealed it; the late submission is no applicant.
            let salts = try await intake.applicantSalts()
            let opened = try [(first, "Fjordlys AS", IntakeClosed.OpenedApplicant.Status.standing), (withdrawn, "Bybris AS", .withdrawn), (third, "Seinsmart AS", .standing)].map { receipt, name, status in
                IntakeClosed.OpenedApplicant(
                    application: receipt.application, orgNumber: receipt.orgNumber, companyName: name,
                    salt: Data(try #require(salts[receipt.application])).base64EncodedString(), status: status)
            }
            #expect(events.map(\.payload) == [.intakeClosed(IntakeClosed(deadline: Fixtures.applicationDeadline, applications: 2, withdrawn: 1, rejectedLate: 1, applicants: opened))])
            #expect(events.first?.actor == Actor(subject: "kari.officer", role: .officer))

            intake.clock.set(Fixtures.applicationDeadline.adding(days: 1))
            let (again, none) = try await intake.newEvents { try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge)) }
            #expect(again == summary && none.isEmpty)
            #expect(try await intake.intake.closeDueChallenges().isEmpty)
            let seen = try await intake.client(token: nil).call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: challenge))
            #expect(seen.status == .closed && seen.closedAt == summary.closedAt)
            try await intake.expectRefusal(.permissionDenied) { _ = try await intake.startup(0).call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challenge)) }
        }
    }

    @Test("the automatic closer closes each due challenge once, as the intake service", arguments: Backend.allCases)
    func automaticClosing(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let early = try await intake.publishedChallenge("early")
            var later = Fixtures.terms()
            later.timeline.applicationDeadline = Fixtures.applicationDeadline.adding(days: 5)
            let late = try await intake.publishedChallenge("late", terms: later)
            try await intake.submit(0, to: early)

            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            let (closed, events) = try await intake.newEvents { try await intake.intake.closeDueChallenges() }
            #expect(closed.map(\.challenge) == [early] && closed.first?.applications == 1)
            #expect(events.map(\.type) == [.intakeClosed])
            #expect(events.first?.actor == Actor(subject: "intake", role: .service))
            #expect(events.first?.challenge == early)

            let (_, repeated) = try await intake.newEvents { try await intake.intake.closeDueChallenges() }
            #expect(repeated.isEmpty)
            let officerSummary = try await intake.officer().call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: early))
            #expect(officerSummary == closed.first)
            #expect(try await intake.client(token: nil).call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: late)).status == .published)
        }
    }

    @Test("an officer and the closer racing record intake.closed exactly once", arguments: Backend.allCases)
    func race(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let ids = ["a", "b", "c", "d"]
            for id in ids { _ = try await intake.publishedChallenge(id) }
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            let officer = try await intake.officer()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask { _ = try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: ChallengeID(id)!)) }
                    group.addTask { _ = try await officer.call(IntakeAPI.closeIntake, CloseIntakeRequest(challenge: ChallengeID(id)!)) }
                }
                group.addTask { try await intake.intake.closeDueChallenges() }
                group.addTask { try await intake.intake.closeDueChallenges() }
                try await group.waitForAll()
            }
            let closings = try await intake.events().filter { $0.type == .intakeClosed }
            #expect(closings.map(\.challenge.rawValue).sorted() == ids)
        }
    }
}
