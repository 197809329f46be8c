import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// Opening an evaluation from Intake's frozen terms and standing applications.
@Suite("Opening")
struct OpeningTests {
    @Test("refused while intake is open; once closed, the terms and standing applications are copied, and opening again returns the same", arguments: Backend.allCases)
    func open(_ backend: Backend) async throws {
        try await EvaluationHarness.run(backend) { h in
            let challenge = EvaluationHarness.challenge
            let terms = Fixtures.terms(normalisation: true)
            var applications = [Fixtures.application(0, challenge: challenge, budget: Money(kroner: 500_000)),
                                Fixtures.application(1, challenge: challenge, budget: Money(kroner: 400_000)),
                                Fixtures.application(2, challenge: challenge, budget: Money(kroner: 300_000), status: .withdrawn)]
            h.intake.put(Fixtures.challenge(challenge, terms: terms, status: .published), applications: applications)
            let officer = try await h.officer()
            let error = try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: challenge))
            }
            #expect(error?.message.contains("intake is still open") == true)

            h.intake.setStatus(.closed, of: challenge)
            let (opened, events) = try await h.newEvents {
                try await officer.call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: challenge))
            }
            #expect(events.isEmpty)
            #expect(opened.status == .open && opened.terms == terms && opened.openedAt == Fixtures.start && opened.finalisedAt == nil)
            #expect(opened.consensusSpreadHundredths == 200)
            applications.removeLast()
            #expect(opened.applications == applications.map {
                EvaluatedApplication(application: $0.id, orgNumber: $0.orgNumber, companyName: $0.publicPart.companyName,
                                     price: $0.publicPart.requestedBudget, vaultRef: $0.vaultRef, receivedAt: $0.receivedAt)
            })

            // Again, even with Intake gone: the evaluation as it stands, nothing new.
            h.intake.setReachable(false)
            let calls = h.intake.calls
            h.clock.set(Fixtures.start.adding(days: 1))
            let again = try await officer.call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: challenge))
            #expect(again == opened && h.intake.calls == calls)
            for role in [Role.auditor, .evaluator] {
                #expect(try await h.client(role, subject: "someone").call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: challenge)) == opened)
            }
        }
    }

    @Test("Intake unreachable: unavailable; an unknown challenge: not_found; only officers open", arguments: Backend.allCases)
    func refusals(_ backend: Backend) async throws {
        try await EvaluationHarness.run(backend) { h in
            let officer = try await h.officer()
            h.intake.setReachable(false)
            try await h.expectRefusal(.unavailable) {
                _ = try await officer.call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: EvaluationHarness.challenge))
            }
            h.intake.setReachable(true)
            try await h.expectRefusal(.notFound) {
                _ = try await officer.call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: ChallengeID("nowhere")!))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.evaluator("ola").call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: EvaluationHarness.challenge))
            }
            try await h.expectRefusal(.notFound) {
                _ = try await officer.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: EvaluationHarness.challenge))
            }
        }
    }
}
