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
            #expect(try await h.auditor().call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: challenge)) == opened)
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

    @Test("an evaluator reads the evaluation and its progress only while on its panel: assigned to an application (recused counts, removed does not)", arguments: Backend.allCases)
    func evaluatorsOnThePanel(_ backend: Backend) async throws {
        try await EvaluationHarness.run(backend) { h in
            let challenge = EvaluationHarness.challenge
            let opened = try await h.open(budgets: [500_000, 400_000])
            let app = EvaluationHarness.app
            _ = try await h.officer().call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: challenge, evaluators: ["ola", "per"], applications: [app(0)]))
            _ = try await h.evaluator("per").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: challenge, application: app(0), ground: "Board member."))
            for evaluator in ["ola", "per"] {
                let client = try await h.evaluator(evaluator)
                #expect(try await client.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: challenge)) == opened)
                #expect(try await client.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: challenge)).applications.count == 2)
            }
            _ = try await h.officer().call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: challenge, evaluator: "ola", application: app(0), reason: "Unavailable."))
            for evaluator in ["ola", "mallory"] {
                let client = try await h.evaluator(evaluator)
                let error = try await h.expectRefusal(.permissionDenied) { _ = try await client.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: challenge)) }
                #expect(error?.message == "\(evaluator) is not assigned to any application of \(challenge)")
                try await h.expectRefusal(.permissionDenied) { _ = try await client.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: challenge)) }
            }
            try await h.expectRefusal(.notFound) {
                _ = try await h.evaluator("mallory").call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: ChallengeID("nowhere")!))
            }
            #expect(try await h.auditor().call(EvaluationAPI.getProgress, GetProgressRequest(challenge: challenge)).applications.count == 2)
        }
    }
}
