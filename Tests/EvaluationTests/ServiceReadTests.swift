import Messages
import RPC
import TestServiceKit
import Testing

/// Negotiation reads the evaluation and its result with its service token (the shortlist, the
/// organisations and their Vault refs); no one else gains access by that.
@Suite("Reads by services")
struct ServiceReadTests {
    typealias H = EvaluationHarness

    @Test("a service reads the evaluation without a panel seat, and the result once finalised; a startup or an evaluator off the panel still does not", arguments: Backend.allCases)
    func serviceReads(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            let opened = try await h.open()
            let negotiation = try await h.client(.service, subject: "negotiation")
            #expect(try await negotiation.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge)) == opened)
            let early = try await h.expectRefusal(.failedPrecondition) {
                _ = try await negotiation.call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge))
            }
            #expect(early?.message == "the evaluation of \(H.challenge) is not finalised yet")

            try await h.panel(["ola", "eva"])
            try await FinalisingTests.scoreAll(h)
            let result = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            #expect(try await negotiation.call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) == result)
            let evaluation = try await negotiation.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge))
            #expect(evaluation.status == .finalised)
            #expect(Set(evaluation.applications.filter { result.shortlist.contains($0.application) }.map(\.vaultRef)).count == result.shortlist.count)

            try await h.expectRefusal(.permissionDenied) { _ = try await h.startup(0).call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.startup(0).call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            let offPanel = try await h.expectRefusal(.permissionDenied) {
                _ = try await h.evaluator("mallory").call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: H.challenge))
            }
            #expect(offPanel?.message == "mallory is not assigned to any application of \(H.challenge)")
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("mallory").call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("ola").call(EvaluationAPI.getResult, GetResultRequest(challenge: H.challenge)) }
            try await h.expectRefusal(.notFound) {
                _ = try await negotiation.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: ChallengeID("nowhere")!))
            }
        }
    }
}
