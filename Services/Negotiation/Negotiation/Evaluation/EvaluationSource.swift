import Logging
public import Messages
public import RPC

/// Where Negotiation reads a challenge's evaluation result and its applications: Evaluation.
/// A seam to another service; ``RPCEvaluationSource`` is the real one.
public protocol EvaluationSource: Sendable {
    /// The finalised result: ranking and shortlist.
    func result(_ challenge: ChallengeID) async throws(RPCError) -> EvaluationResult
    /// The evaluation with its applications (organisation numbers and Vault refs).
    func evaluation(_ challenge: ChallengeID) async throws(RPCError) -> Evaluation
}

/// Evaluation over RPC, with Negotiation's own service token (Evaluation lets role `service`
/// read `GetResult` and `GetEvaluation`).
///
/// A challenge Evaluation does not know stays `not_found` and an evaluation not yet
/// finalised `failed_precondition`; anything else Evaluation answers — it is unreachable,
/// overloaded, or refuses this service's token — is `unavailable` to the officer, who can
/// try again, and the code is logged for the operator.
public struct RPCEvaluationSource: EvaluationSource {
    let client: RPCClient

    public init(client: RPCClient) { self.client = client }

    public func result(_ challenge: ChallengeID) async throws(RPCError) -> EvaluationResult {
        try await translating { () async throws(RPCError) in try await client.call(EvaluationAPI.getResult, GetResultRequest(challenge: challenge)) }
    }

    public func evaluation(_ challenge: ChallengeID) async throws(RPCError) -> Evaluation {
        try await translating { () async throws(RPCError) in try await client.call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: challenge)) }
    }

    private func translating<T>(_ body: () async throws(RPCError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch where error.code == .notFound {
            throw RPCError(.notFound, "Evaluation has no evaluation of this challenge")
        } catch where error.code == .failedPrecondition {
            throw RPCError(.failedPrecondition, "the evaluation is not finalised yet: dialogues open from a finalised shortlist")
        } catch {
            CallContext.current?.logger.warning("Evaluation call failed", metadata: ["code": .string(error.code.rawValue)])
            throw RPCError(.unavailable, "Evaluation cannot be reached (\(error.code.rawValue)); try again")
        }
    }
}
