import Foundation
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Finalising: readiness, the result and its events, nothing changing afterwards, and each
/// startup's own feedback.
@Suite("Finalising and feedback")
struct FinalisingTests {
    typealias H = EvaluationHarness

    /// The engine's hand-computed example (ScoringEngineTests) through the service: app-0 is A,
    /// app-1 B, app-2 C; ola and eva score everything.
    static func scoreAll(_ h: H, skip: (String, Int)? = nil) async throws {
        let points: [[String: [Int]]] = [["quality": [8, 7], "impact": [6, 6]], ["quality": [7, 7], "impact": [9, 8]], ["quality": [9, 9], "impact": [9, 9]]]
        for (index, application) in points.enumerated() {
            for (e, evaluator) in ["ola", "eva"].enumerated() where skip.map({ $0 != (evaluator, index) }) ?? true {
                try await h.score(evaluator, H.app(index), ["quality": application["quality"]![e], "impact": application["impact"]![e]])
            }
        }
    }

    @Test("refused until every application is ready; then the ranking by the published method, both events in one go, and the same result again with no new events", arguments: Backend.allCases)
    func finalise(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            try await h.panel(["ola", "eva"])
            try await Self.scoreAll(h, skip: ("eva", 1))
            let officer = try await h.officer()
            let notReady = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(notReady?.message == "application app-1 is not ready: not every evaluator is done: eva (impartial); each must finish, declare a conflict, or be removed")
            try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.failedPrecondition) { _ = try await h.startup(0).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge)) }
            try await h.score("eva", H.app(1), ["quality": 7, "impact": 8])

            let finalisedAt = Fixtures.start.adding(days: 2)
            h.clock.set(finalisedAt)
            let (result, events) = try await h.newEvents { try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(result.ranking.map(\.application) == [H.app(1), H.app(0), H.app(2)])
            #expect(result.ranking.map(\.totalHundredths) == [835, 705, 480])
            #expect(result.ranking.map(\.points) == [
                ["quality": 700, "impact": 850, "price": 1000], ["quality": 750, "impact": 600, "price": 750], ["quality": 900, "impact": 900, "price": -500],
            ])
            #expect(result.shortlist == [H.app(1), H.app(0)] && result.finalisedAt == finalisedAt && result.drawSeed == nil)
            #expect(result.ranking[2].reason == "Ranked 3 of 3 with 4.80 points; the shortlist's lowest total was 7.05 (rank 2)")
            // W by hand: quality ola 8,7,9 / eva 7,7,9 → S = 6.5, D = 4·24 − 2·6 = 84, W = 78/84;
            // impact likewise; overall (40·q + 30·i) 500, 550, 630 / 460, 520, 630 → W = 1.
            #expect(result.agreement == [
                Agreement(criterion: "quality", kendallsWTenThousandths: 9286, evaluators: 2, applications: 3),
                Agreement(criterion: "impact", kendallsWTenThousandths: 9286, evaluators: 2, applications: 3),
                Agreement(criterion: "overall", kendallsWTenThousandths: 10_000, evaluators: 2, applications: 3),
            ])
            #expect(result.disagreements == [
                Disagreement(application: H.app(0), criterion: "quality", spreadHundredths: 100, scores: ["ola": 8, "eva": 7]),
                Disagreement(application: H.app(1), criterion: "impact", spreadHundredths: 100, scores: ["ola": 9, "eva": 8]),
            ])

            #expect(events.map(\.type) == [.scoresFinalised, .shortlistDecided])
            #expect(events.allSatisfy { $0.time == finalisedAt && $0.actor == Actor(subject: "kari.officer", role: .officer) })
            guard case .scoresFinalised(let scores)? = events.first?.payload, case .shortlistDecided(let shortlist)? = events.last?.payload else {
                Issue.record("unexpected payloads")
                return
            }
            #expect(scores.method == .init(priceFormula: .linear, normalisation: false, tieBreak: TieBreak(rule: .highestOnCriterion, criterion: "quality")))
            #expect(scores.ranking == result.ranking.map(\.application))
            #expect(scores.results.map(\.totalHundredths) == [835, 705, 480] && scores.results.map(\.rank) == [1, 2, 3])
            #expect(scores.results[2].scores == [.init(criterion: "quality", hundredths: 900), .init(criterion: "impact", hundredths: 900), .init(criterion: "price", hundredths: -500)])
            let sheets = try await h.database.sql.raw("SELECT application_id, evaluator, digest FROM eval_sheets WHERE done = 1").all()
            #expect(Set(scores.sheets?.map { "\($0.application)|\($0.evaluator)|\($0.digest)" } ?? []) == Set(try sheets.map {
                "\(try $0.decode(column: "application_id", as: String.self))|\(try $0.decode(column: "evaluator", as: String.self))|\(try $0.decode(column: "digest", as: String.self))"
            }))
            #expect(scores.sheets?.count == 6)
            #expect(shortlist == ShortlistDecided(places: 2, shortlisted: [H.app(1), H.app(0)], notChosen: [.init(application: H.app(2), reason: result.ranking[2].reason!)]))

            // Again: the stored result, nothing recorded.
            h.clock.set(finalisedAt.adding(days: 1))
            let (again, none) = try await h.newEvents { try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(again == result && none.isEmpty)
            #expect(try await officer.call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) == result)
            #expect(try await h.auditor().call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) == result)
            #expect(try await h.officer().call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge)).status == .finalised)
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("ola").call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.startup(1).call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            // Auditors read the sheets now.
            #expect(try await h.auditor().call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0))).sheets.count == 2)
        }
    }

    @Test("an evaluator still scoring holds Finalize back even when two others are done and agree: an unfinished sheet is never dropped", arguments: Backend.allCases)
    func unfinishedHoldsBack(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            try await h.panel(["ola", "eva", "siv"])
            try await Self.scoreAll(h)
            for index in 0..<3 { try await h.score("siv", H.app(index), ["quality": 7, "impact": 7], done: index != 1) }
            let officer = try await h.officer()
            let progress = try await officer.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications.map(\.ready) == [true, false, true])
            #expect(progress.applications[1].evaluators == ["ola": .done, "eva": .done, "siv": .scoring])
            let error = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            #expect(error?.message == "application app-1 is not ready: not every evaluator is done: siv (scoring); each must finish, declare a conflict, or be removed")

            try await h.score("siv", H.app(1), ["quality": 7, "impact": 7])
            let result = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(result.ranking.first { $0.application == H.app(1) }?.points["quality"] == 700, "siv's sheet counts: 7, 7, 7")
        }
    }

    @Test("after finalising nothing changes: scoring, consensus, assignment and declarations are refused", arguments: Backend.allCases)
    func frozen(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000, 1_000_000, 600_000])
            try await h.panel(["ola", "eva"], applications: [H.app(0), H.app(1), H.app(2)])
            _ = try await h.officer().call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["ola", "eva", "per"], applications: [H.app(3)]))
            for evaluator in ["ola", "eva"] {
                _ = try await h.evaluator(evaluator).call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(3)))
            }
            try await Self.scoreAll(h)
            try await h.score("ola", H.app(3), ["quality": 9, "impact": 2])
            try await h.score("eva", H.app(3), ["quality": 4, "impact": 2])
            try await h.expectRefusal(.failedPrecondition) { _ = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge)) }
            _ = try await h.evaluator("per").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(3), ground: "co-founder"))
            _ = try await h.officer().call(EvaluationAPI.recordConsensus, RecordConsensusRequest(challenge: H.challenge, application: H.app(3), criterion: "quality", hundredths: 600, reason: "Agreed."))
            let result = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(result.ranking.first { $0.application == H.app(3) }?.points["quality"] == 600)
            #expect(result.agreement.allSatisfy { $0.applications == 3 && $0.evaluators == 2 }, "app-3 had a recusal: left out of the block")

            let officer = try await h.officer()
            let ola = try await h.evaluator("ola")
            try await h.expectRefusal(.failedPrecondition) { try await h.score("ola", H.app(0), ["quality": 1, "impact": 1]) }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(EvaluationAPI.recordConsensus, RecordConsensusRequest(challenge: H.challenge, application: H.app(3), criterion: "quality", hundredths: 700, reason: "Changed."))
            }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["siv"]))
            }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await ola.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(3)))
            }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await h.evaluator("per").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "late"))
            }
            #expect(try await officer.call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) == result)
        }
    }

    @Test("feedback: a startup gets its own scores, anonymised reasons, consensus reason, rank and why not — of others only the shortlist's names", arguments: Backend.allCases)
    func feedback(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            try await h.panel(["ola", "eva"])
            try await Self.scoreAll(h, skip: ("eva", 2))
            try await h.score("eva", H.app(2), ["quality": 5, "impact": 9])
            _ = try await h.officer().call(EvaluationAPI.recordConsensus, RecordConsensusRequest(
                challenge: H.challenge, application: H.app(2), criterion: "quality", hundredths: 800, reason: "The panel agreed on 8 after the demo."))
            let result = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(result.ranking.map(\.application) == [H.app(1), H.app(0), H.app(2)])

            let feedback = try await h.startup(2).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge))
            let own = result.ranking[2]
            #expect(feedback.application == H.app(2) && feedback.rank == 3 && feedback.applications == 3 && !feedback.shortlisted)
            #expect(feedback.totalHundredths == own.totalHundredths && feedback.reason == own.reason)
            #expect(feedback.shortlist == [Fixtures.companies[1], Fixtures.companies[0]])
            #expect(feedback.criteria == [
                CriterionFeedback(criterion: "quality", name: "Quality", weight: 40, hundredths: 800,
                                  reasons: ["Quality: 5 points, for these reasons.", "Quality: 9 points, for these reasons."], consensusReason: "The panel agreed on 8 after the demo."),
                CriterionFeedback(criterion: "impact", name: "Impact", weight: 30, hundredths: 900,
                                  reasons: ["Impact: 9 points, for these reasons.", "Impact: 9 points, for these reasons."], consensusReason: nil),
                CriterionFeedback(criterion: "price", name: "Price", weight: 30, hundredths: -500, reasons: [], consensusReason: nil),
            ])
            let text = String(decoding: try CanonicalJSON.encode(feedback), as: UTF8.self)
            for secret in ["ola", "eva", "kari.officer", H.app(0).rawValue, H.app(1).rawValue, "835", "705"] {
                #expect(!text.contains(secret), "feedback names nothing of evaluators or other applications: \(secret)")
            }
            let shortlisted = try await h.startup(1).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge))
            #expect(shortlisted.application == H.app(1) && shortlisted.shortlisted && shortlisted.reason == nil && shortlisted.rank == 1)
            try await h.expectRefusal(.notFound) { _ = try await h.startup(5).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.notFound) { _ = try await h.startup(1).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: ChallengeID("other")!)) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.officer().call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge)) }
        }
    }

    @Test("feedback reasons are ordered by their text, not by who wrote them: the public panel cannot be mapped onto them", arguments: Backend.allCases)
    func reasonOrder(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["anna", "bjorn"])
            // anna sorts before bjorn; on quality her reason sorts after his, on impact before.
            let reasons = [
                "anna": ["quality": "Weak evidence that the sensors last a winter.", "impact": "Broad reach: every district."],
                "bjorn": ["quality": "A strong prototype, tested in Bergen.", "impact": "Clear savings on fuel."],
            ]
            for application in [H.app(0), H.app(1)] {
                for (evaluator, texts) in reasons {
                    _ = try await h.evaluator(evaluator).call(EvaluationAPI.submitScores, SubmitScoresRequest(challenge: H.challenge, application: application, scores: [
                        CriterionScoreInput(criterion: "quality", points: 6, reason: texts["quality"]!),
                        CriterionScoreInput(criterion: "impact", points: 6, reason: texts["impact"]!),
                    ], done: true))
                }
            }
            _ = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            let feedback = try await h.startup(0).call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: H.challenge))
            #expect(feedback.criteria.map(\.reasons) == [
                ["A strong prototype, tested in Bergen.", "Weak evidence that the sensors last a winter."],
                ["Broad reach: every district.", "Clear savings on fuel."],
                [],
            ])
        }
    }
}
