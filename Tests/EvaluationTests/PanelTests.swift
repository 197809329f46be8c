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
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await ola.call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "my cousin"))
            }

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
            #expect(progress.applications.map(\.evaluators) == [["ola": .impartial, "eva": .assigned], ["ola": .assigned, "eva": .recused], ["ola": .assigned, "eva": .assigned]])
            #expect(!h.log.all.contains { $0.contains("former employee") }, "a ground is recorded, not logged")
        }
    }
}
