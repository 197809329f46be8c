import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// Score sheets, the blind rule, progress and consensus.
@Suite("Score sheets, blind scoring, consensus")
struct ScoreSheetTests {
    typealias H = EvaluationHarness

    @Test("a sheet needs every scored criterion, whole points on the scale and a reason; it is revised until done, then locked", arguments: Backend.allCases)
    func sheet(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open()
            try await h.panel(["ola"], applications: [H.app(0)])
            let ola = try await h.evaluator("ola")
            func submit(_ scores: [CriterionScoreInput], done: Bool = false) async throws -> ScoreSheet {
                try await ola.call(EvaluationAPI.submitScores, SubmitScoresRequest(challenge: H.challenge, application: H.app(0), scores: scores, done: done))
            }
            let quality = CriterionScoreInput(criterion: "quality", points: 7, reason: "A sound design.")
            let impact = CriterionScoreInput(criterion: "impact", points: 6, reason: "Fewer trips.")
            for (scores, field) in [
                ([quality], "scores"),
                ([quality, impact, CriterionScoreInput(criterion: "price", points: 5, reason: "cheap")], "scores[2].criterion"),
                ([quality, CriterionScoreInput(criterion: "colour", points: 5, reason: "blue")], "scores[1].criterion"),
                ([quality, quality, impact], "scores[1].criterion"),
                ([quality, CriterionScoreInput(criterion: "impact", points: 11, reason: "r")], "scores[1].points"),
                ([CriterionScoreInput(criterion: "quality", points: -1, reason: "r"), impact], "scores[0].points"),
                ([quality, CriterionScoreInput(criterion: "impact", points: 5, reason: "")], "scores[1].reason"),
                ([quality, CriterionScoreInput(criterion: "impact", points: 5, reason: String(repeating: "x", count: 2001))], "scores[1].reason"),
                ([quality, CriterionScoreInput(criterion: "impact", points: 5, reason: "nul\u{0}")], "scores[1].reason"),
            ] {
                try await h.expectRefusal(.invalidArgument, field: field) { _ = try await submit(scores) }
            }
            let first = try await submit([impact, quality])
            #expect(first.revision == 1 && !first.done && first.scores == [quality, impact], "kept in the terms' order")
            #expect(first.digest == .sha256(try Self.sheetJSON(first)))
            h.clock.set(Fixtures.start.adding(milliseconds: 1000))
            let second = try await submit([quality, CriterionScoreInput(criterion: "impact", points: 8, reason: "Fewer trips, fuller bins.")], done: true)
            #expect(second.revision == 2 && second.done && second.updatedAt == Fixtures.start.adding(milliseconds: 1000) && second.digest != first.digest)
            try await h.expectRefusal(.failedPrecondition) { _ = try await submit([quality, impact]) }
            #expect(try await ola.call(EvaluationAPI.getMyScores, GetMyScoresRequest(challenge: H.challenge)).sheets == [second])
            #expect(try await h.evaluator("eva").call(EvaluationAPI.getMyScores, GetMyScoresRequest(challenge: H.challenge)).sheets.isEmpty)
            #expect(!h.log.all.contains { $0.contains("fuller bins") }, "reasons are not logged")
        }
    }

    /// The canonical JSON the digest covers: `{application, evaluator, scores}`.
    static func sheetJSON(_ sheet: ScoreSheet) throws -> Data {
        struct Sheet: Encodable { var application: ApplicationID; var evaluator: String; var scores: [CriterionScoreInput] }
        return try CanonicalJSON.encode(Sheet(application: sheet.application, evaluator: sheet.evaluator, scores: sheet.scores))
    }

    @Test("blind: no one sees another's scores until every non-recused evaluator is done; then the evaluators and officers, auditors after finalising", arguments: Backend.allCases)
    func blind(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["ola", "eva"])
            _ = try await h.officer().call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: H.challenge, evaluators: ["per", "siv"], applications: [H.app(0)]))
            _ = try await h.evaluator("per").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "shareholder"))
            _ = try await h.evaluator("siv").call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(0)))
            let request = GetApplicationScoresRequest(challenge: H.challenge, application: H.app(0))
            try await h.score("ola", H.app(0), ["quality": 9, "impact": 5])
            try await h.score("eva", H.app(0), ["quality": 5, "impact": 6])
            try await h.score("siv", H.app(0), ["quality": 8, "impact": 6], done: false)
            for client in [try await h.evaluator("ola"), try await h.officer()] {
                let error = try await h.expectRefusal(.failedPrecondition) { _ = try await client.call(EvaluationAPI.getApplicationScores, request) }
                #expect(error?.message.contains("blind until all its evaluators are done") == true)
            }
            var progress = try await h.officer().call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications[0] == ApplicationProgress(application: H.app(0), evaluators: ["ola": .done, "eva": .done, "per": .recused, "siv": .scoring], ready: false))
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await h.officer().call(EvaluationAPI.recordConsensus, RecordConsensusRequest(challenge: H.challenge, application: H.app(0), criterion: "quality", hundredths: 700, reason: "agreed"))
            }

            try await h.score("siv", H.app(0), ["quality": 8, "impact": 6])
            let scores = try await h.evaluator("ola").call(EvaluationAPI.getApplicationScores, request)
            #expect(scores.sheets.map(\.evaluator) == ["eva", "ola", "siv"])
            #expect(scores.needingConsensus == ["quality"], "9 and 5 differ by more than 2; 5, 6, 6 do not")
            #expect(try await h.officer().call(EvaluationAPI.getApplicationScores, request) == scores)
            for client in [try await h.evaluator("per"), try await h.evaluator("mallory")] {
                try await h.expectRefusal(.permissionDenied) { _ = try await client.call(EvaluationAPI.getApplicationScores, request) }
            }
            try await h.expectRefusal(.failedPrecondition) { _ = try await h.auditor().call(EvaluationAPI.getApplicationScores, request) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.startup(0).call(EvaluationAPI.getApplicationScores, request) }
            progress = try await h.officer().call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications[0].ready == false, "quality still needs a consensus")

            // Consensus: only where needed, on the scale, with a reason; replaced until finalising.
            let officer = try await h.officer()
            func record(_ criterion: String, _ hundredths: Int, _ reason: String = "Agreed after discussion.") async throws -> Consensus {
                try await officer.call(EvaluationAPI.recordConsensus, RecordConsensusRequest(challenge: H.challenge, application: H.app(0), criterion: criterion, hundredths: hundredths, reason: reason))
            }
            let stands = try await h.expectRefusal(.failedPrecondition) { _ = try await record("impact", 600) }
            #expect(stands?.message.contains("the mean stands") == true)
            try await h.expectRefusal(.invalidArgument, field: "hundredths") { _ = try await record("quality", 1001) }
            try await h.expectRefusal(.invalidArgument, field: "reason") { _ = try await record("quality", 700, "") }
            try await h.expectRefusal(.invalidArgument, field: "criterion") { _ = try await record("price", 700) }
            let (_, first) = try await h.newEvents { try await record("quality", 650) }
            let (consensus, second) = try await h.newEvents { try await record("quality", 725) }
            #expect(consensus == Consensus(application: H.app(0), criterion: "quality", hundredths: 725, reason: "Agreed after discussion.", recordedBy: "kari.officer", recordedAt: Fixtures.start))
            #expect((first + second).map(\.payload) == [
                .consensusRecorded(ConsensusRecorded(application: H.app(0), criterion: "quality", hundredths: 650, reason: "Agreed after discussion.")),
                .consensusRecorded(ConsensusRecorded(application: H.app(0), criterion: "quality", hundredths: 725, reason: "Agreed after discussion.")),
            ])
            #expect(try await officer.call(EvaluationAPI.getApplicationScores, request).consensus == [consensus])
            progress = try await officer.call(EvaluationAPI.getProgress, GetProgressRequest(challenge: H.challenge))
            #expect(progress.applications.map(\.ready) == [true, false])
            #expect(progress.applications[1].evaluators == ["ola": .impartial, "eva": .impartial])
        }
    }
}
