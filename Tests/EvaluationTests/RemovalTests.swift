import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// `RemoveEvaluator`: an officer takes an evaluator who will not finish off an application,
/// so it no longer waits for them.
@Suite("Removing an evaluator")
struct RemovalTests {
    typealias H = EvaluationHarness

    /// ola and eva done with both applications, differing by more than the spread on app-0's
    /// quality; siv impartial for app-0 and never scoring it, done with app-1.
    static func deadlock(_ h: H) async throws {
        try await h.open(budgets: [500_000, 400_000])
        try await h.panel(["ola", "eva", "siv"])
        try await h.score("ola", H.app(0), ["quality": 9, "impact": 6])
        try await h.score("eva", H.app(0), ["quality": 5, "impact": 6])
        for evaluator in ["ola", "eva", "siv"] { try await h.score(evaluator, H.app(1), ["quality": 7, "impact": 7]) }
    }

    @Test("the deadlock — an impartial evaluator who never scores while the others need a consensus — is resolved by removing them; the removal is final", arguments: Backend.allCases)
    func resolvesDeadlock(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await Self.deadlock(h)
            let officer = try await h.officer()
            let consensus = RecordConsensusRequest(challenge: H.challenge, application: H.app(0), criterion: "quality", hundredths: 700, reason: "Agreed on 7 after the demo.")
            let blind = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.recordConsensus, consensus) }
            #expect(blind?.message == "consensus on application app-0 waits until all its evaluators are done")
            let notReady = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(notReady?.message == "application app-0 is not ready: not every evaluator is done: siv (impartial); each must finish, declare a conflict, or be removed")

            let removedAt = Fixtures.start.adding(days: 1)
            h.clock.set(removedAt)
            let reason = "Unavailable for the rest of the evaluation."
            let (panel, events) = try await h.newEvents {
                try await officer.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: "siv", application: H.app(0), reason: reason))
            }
            #expect(panel.members == [
                PanelMember(evaluator: "eva", applications: [H.app(0), H.app(1)]), PanelMember(evaluator: "ola", applications: [H.app(0), H.app(1)]),
                PanelMember(evaluator: "siv", applications: [H.app(1)]),
            ])
            #expect(events.map(\.payload) == [.evaluatorRemoved(EvaluatorRemoved(evaluator: "siv", application: H.app(0), reason: reason))])
            #expect(events.first?.actor == Actor(subject: "kari.officer", role: .officer) && events.first?.time == removedAt)
            #expect(h.log.all.contains { $0.contains("evaluator removed") && $0.contains("evaluator=siv") })
            #expect(!h.log.all.contains { $0.contains("Unavailable") }, "a reason is recorded, not logged")
            let progress = try await officer.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications[0] == ApplicationProgress(application: H.app(0), evaluators: ["ola": .done, "eva": .done], ready: false))

            // Removing again: the panel, nothing recorded.
            let (same, none) = try await h.newEvents {
                try await officer.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: "siv", application: H.app(0), reason: "Again."))
            }
            #expect(same == panel && none.isEmpty)

            // siv is off app-0 for good: no grant, no declaration, no scores, no reading, no new assignment.
            let siv = try await h.evaluator("siv")
            try await h.expectRefusal(.permissionDenied) {
                _ = try await siv.call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: H.challenge, application: H.app(0)))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await siv.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "Too late."))
            }
            try await h.expectRefusal(.permissionDenied) { try await h.score("siv", H.app(0), ["quality": 6, "impact": 6]) }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await siv.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0)))
            }
            for applications in [[H.app(0)], nil] {
                let final = try await h.expectRefusal(.failedPrecondition) {
                    _ = try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["per", "siv"], applications: applications))
                }
                #expect(final?.message == "siv was removed from application app-0: a removal is final")
            }
            // Still on app-1 and on the panel.
            #expect(try await siv.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(1))).sheets.count == 3)
            #expect(try await siv.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge)).challenge == H.challenge)

            // The consensus can now be recorded, and the evaluation finalised.
            _ = try await officer.call(EvaluationAPI.recordConsensus, consensus)
            let result = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(result.ranking.first { $0.application == H.app(0) }?.points["quality"] == 700)
            guard case .scoresFinalised(let finalised)? = try await h.events().first(where: { $0.type == .scoresFinalised })?.payload else {
                Issue.record("no scores.finalised")
                return
            }
            #expect(finalised.sheets?.map(\.evaluator) == ["eva", "ola", "eva", "ola", "siv"])
            try await h.expectRefusal(.permissionDenied) {
                _ = try await siv.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0)))
            }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: "ola", application: H.app(1), reason: "After the fact."))
            }
        }
    }

    @Test("an unfinished sheet is discarded with the assignment; a done sheet, a recusal, an unknown pair, bad input and other roles are refused", arguments: Backend.allCases)
    func refusals(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["ola", "eva"])
            _ = try await h.officer().call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["per"], applications: [H.app(0)]))
            _ = try await h.evaluator("per").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "Shareholder."))
            try await h.score("ola", H.app(0), ["quality": 6, "impact": 6])
            try await h.score("eva", H.app(0), ["quality": 6, "impact": 6], done: false)
            let officer = try await h.officer()
            func remove(_ evaluator: String, _ application: ApplicationID = H.app(0), reason: String = "Unavailable.") async throws {
                _ = try await officer.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: evaluator, application: application, reason: reason))
            }
            for (reason, field) in [("", "reason"), ("   ", "reason"), (String(repeating: "x", count: 501), "reason"), ("bell\u{7}", "reason")] {
                try await h.expectRefusal(.invalidArgument, field: field) { try await remove("eva", reason: reason) }
            }
            try await h.expectRefusal(.invalidArgument, field: "evaluator") { try await remove("has space") }
            let done = try await h.expectRefusal(.failedPrecondition) { try await remove("ola") }
            #expect(done?.message == "the sheet of ola for application app-0 is done: it counts, and the evaluator stays")
            let recused = try await h.expectRefusal(.failedPrecondition) { try await remove("per") }
            #expect(recused?.message == "per is recused from application app-0 already")
            let unknown = try await h.expectRefusal(.notFound) { try await remove("mallory") }
            #expect(unknown?.message == "mallory is not assigned to application app-0")
            try await h.expectRefusal(.notFound) { try await remove("eva", ApplicationID("elsewhere")!) }
            try await h.expectRefusal(.notFound) {
                _ = try await officer.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: ChallengeID("nowhere")!, evaluator: "eva", application: H.app(0), reason: "r"))
            }
            for client in [try await h.evaluator("ola"), try await h.auditor()] {
                try await h.expectRefusal(.permissionDenied) {
                    _ = try await client.call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: "eva", application: H.app(0), reason: "r"))
                }
            }

            // eva's unfinished sheet goes with her assignment; the one for app-1 does not exist.
            try await remove("eva")
            #expect(try await h.evaluator("eva").call(EvaluationAPI.getMyScores, GetMyScoresRequest(challenge: H.challenge)).sheets.isEmpty)
            #expect(h.log.all.contains { $0.contains("evaluator removed") && $0.contains("sheet_discarded=true") })
            let progress = try await officer.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications[0] == ApplicationProgress(application: H.app(0), evaluators: ["ola": .done, "per": .recused], ready: false))
            let few = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(few?.message == "application app-0 is not ready: 1 impartial evaluator is done; at least two are needed")
        }
    }
}
