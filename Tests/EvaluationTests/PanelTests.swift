import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// The panel, declarations of impartiality and recusal.
@Suite("Panel and declarations")
struct PanelTests {
    typealias H = EvaluationHarness

    @Test("assigning: to all or named applications, existing pairs kept, panel.assigned only for something new; bad input refused", arguments: Backend.allCases)
    func assign(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            let officer = try await h.officer()
            let (panel, events) = try await h.newEvents {
                try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola", "eva"]))
            }
            let all = [H.app(0), H.app(1), H.app(2)]
            #expect(panel.members == [PanelMember(evaluator: "eva", applications: all), PanelMember(evaluator: "ola", applications: all)])
            #expect(events.map(\.payload) == [.panelAssigned(PanelAssigned(evaluators: ["ola", "eva"], applications: all))])
            #expect(events.first?.actor == Actor(subject: "kari.officer", role: .officer))

            let (same, none) = try await h.newEvents {
                try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola"], applications: [H.app(1)]))
            }
            #expect(same == panel && none.isEmpty)
            let (more, added) = try await h.newEvents {
                try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["per"], applications: [H.app(2)]))
            }
            #expect(more.members.last == PanelMember(evaluator: "per", applications: [H.app(2)]))
            #expect(added.map(\.type) == [.panelAssigned])

            for (request, field) in [
                (AssignEvaluatorsRequest(challenge: H.challenge, evaluators: []), "evaluators"),
                (AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola", "has space"]), "evaluators[1]"),
                (AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola", "ola"]), "evaluators[1]"),
                (AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola"], applications: []), "applications"),
                (AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola"], applications: [H.app(0), ApplicationID("elsewhere")!]), "applications[1]"),
            ] {
                try await h.expectRefusal(.invalidArgument, field: field) { _ = try await officer.call(EvaluationAPI.assignEvaluators, request) }
            }
        }
    }

    @Test("declarations: only an assigned evaluator, once each; a conflict recuses with its ground, recorded", arguments: Backend.allCases)
    func declarations(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            try await h.panel(["ola", "eva"], declare: false)
            let ola = try await h.evaluator("ola")
            let (declared, events) = try await h.newEvents {
                try await ola.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(0)))
            }
            #expect(declared == Declaration(challenge: H.challenge, application: H.app(0), evaluator: "ola", kind: .impartial, ground: nil, declaredAt: Fixtures.start))
            #expect(events.map(\.payload) == [.impartialityDeclared(ImpartialityDeclared(evaluator: "ola", application: H.app(0)))])
            #expect(events.first?.actor == Actor(subject: "ola", role: .evaluator))
            // The same again: the first declaration, nothing recorded.
            h.clock.set(Fixtures.start.adding(milliseconds: 5000))
            let (again, none) = try await h.newEvents {
                try await ola.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(0)))
            }
            #expect(again == declared && none.isEmpty)
            // A conflict after impartiality is refused once the sheet is done: it counts.
            try await h.score("ola", H.app(0), ["quality": 6, "impact": 6])
            let counted = try await h.expectRefusal(.failedPrecondition) {
                _ = try await ola.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "my cousin"))
            }
            #expect(counted?.message == "the sheet of ola for application app-0 is done: it counts, and a conflict can no longer be declared")

            let eva = try await h.evaluator("eva")
            let (conflict, recused) = try await h.newEvents {
                try await eva.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(1), ground: "former employee of the applicant"))
            }
            #expect(conflict.kind == .conflict && conflict.ground == "former employee of the applicant")
            #expect(recused.map(\.payload) == [.evaluatorRecused(EvaluatorRecused(evaluator: "eva", application: H.app(1), ground: "former employee of the applicant"))])
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await eva.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(1)))
            }
            try await h.expectRefusal(.invalidArgument, field: "ground") {
                _ = try await eva.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(2), ground: ""))
            }
            try await h.expectRefusal(.invalidArgument, field: "ground") {
                _ = try await eva.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(2), ground: String(repeating: "x", count: 501)))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.evaluator("mallory").call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(0)))
            }
            try await h.expectRefusal(.notFound) {
                _ = try await ola.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: ApplicationID("elsewhere")!))
            }

            // Recused: no scores; progress shows it, with no scores.
            try await h.expectRefusal(.permissionDenied) { try await h.score("eva", H.app(1), ["quality": 5, "impact": 5]) }
            let progress = try await h.officer().call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications.map(\.evaluators) == [["ola": .done, "eva": .assigned], ["ola": .assigned, "eva": .recused], ["ola": .assigned, "eva": .assigned]])
            #expect(!h.log.all.contains { $0.contains("former employee") }, "a ground is recorded, not logged")
        }
    }

    @Test("a conflict that comes to light after impartiality: recused while the sheet is not done, the unfinished sheet discarded, evaluator.recused recorded after impartiality.declared — and the application no longer waits", arguments: Backend.allCases)
    func lateConflict(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["ola", "eva", "per"])
            for application in [H.app(0), H.app(1)] {
                try await h.score("ola", application, ["quality": 7, "impact": 6])
                try await h.score("eva", application, ["quality": 8, "impact": 6])
            }
            try await h.score("per", H.app(1), ["quality": 7, "impact": 7])
            try await h.score("per", H.app(0), ["quality": 3, "impact": 3], done: false)
            let officer = try await h.officer()
            let waiting = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(waiting?.message == "application app-0 is not ready: not every evaluator is done: per (scoring); each must finish, declare a conflict, or be removed")

            // On app-1 per is done: the sheet counts, the conflict is refused.
            let per = try await h.evaluator("per")
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await per.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(1), ground: "Learned that my sister works there."))
            }
            let later = Fixtures.start.adding(milliseconds: 60_000)
            h.clock.set(later)
            let ground = "Learned that my sister joined the applicant last week."
            let (declaration, events) = try await h.newEvents {
                try await per.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: ground))
            }
            #expect(declaration == Declaration(challenge: H.challenge, application: H.app(0), evaluator: "per", kind: .conflict, ground: ground, declaredAt: later))
            #expect(events.map(\.payload) == [.evaluatorRecused(EvaluatorRecused(evaluator: "per", application: H.app(0), ground: ground))])
            #expect(events.first?.actor == Actor(subject: "per", role: .evaluator))
            let record = try await h.events().map(\.payload)
            let declared = record.firstIndex(of: .impartialityDeclared(ImpartialityDeclared(evaluator: "per", application: H.app(0))))
            let recused = record.firstIndex(of: .evaluatorRecused(EvaluatorRecused(evaluator: "per", application: H.app(0), ground: ground)))
            #expect(declared != nil && recused != nil && declared! < recused!, "the earlier declaration stays in the record")
            #expect(try await per.call(EvaluationAPI.getMyScores, GetMyScoresRequest(challenge: H.challenge)).sheets.map(\.application) == [H.app(1)], "the unfinished sheet is discarded")
            #expect(h.log.all.contains { $0.contains("evaluator recused") && $0.contains("after_impartiality=true") && $0.contains("sheet_discarded=true") })
            #expect(!h.log.all.contains { $0.contains("sister") }, "a ground is recorded, not logged")

            // The same again changes nothing; impartiality again or another ground is refused.
            let (again, none) = try await h.newEvents {
                try await per.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: ground))
            }
            #expect(again == declaration && none.isEmpty)
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await per.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(0)))
            }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await per.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "Another ground."))
            }
            // Recused: no grant, no scores, no reading.
            try await h.expectRefusal(.permissionDenied) {
                _ = try await per.call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: H.challenge, application: H.app(0)))
            }
            try await h.expectRefusal(.permissionDenied) { try await h.score("per", H.app(0), ["quality": 5, "impact": 5]) }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await per.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0)))
            }

            // Unblocked.
            let progress = try await officer.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications == [
                ApplicationProgress(application: H.app(0), evaluators: ["ola": .done, "eva": .done, "per": .recused], ready: true),
                ApplicationProgress(application: H.app(1), evaluators: ["ola": .done, "eva": .done, "per": .done], ready: true),
            ])
            let result = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(result.ranking.first { $0.application == H.app(0) }?.points["quality"] == 750, "the mean of ola's and eva's: per's discarded 3 does not count")
            try await h.expectRefusal(.permissionDenied) {
                _ = try await per.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0)))
            }
            #expect(try await per.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(1))).sheets.count == 3)
        }
    }
}
