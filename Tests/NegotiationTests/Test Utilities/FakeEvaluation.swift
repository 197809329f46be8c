import Logging
import Messages
import RPC
import Synchronization
import TestServiceKit

/// A stand-in for Evaluation, served over the real RPC pipeline (tokens, roles, codec) on
/// the in-process transport: `GetResult` and `GetEvaluation` for what a test puts there,
/// `failed_precondition` before finalising, `unavailable` when the test makes it
/// unreachable. Negotiation reaches it through ``RPCEvaluationSource`` with its own service
/// token, as in production.
final class FakeEvaluation: Sendable {
    private struct State {
        var evaluations: [ChallengeID: Evaluation] = [:]
        var results: [ChallengeID: EvaluationResult] = [:]
        var reachable = true
        var callers: [Actor] = []
    }

    private let state = Mutex(State())

    func put(_ evaluation: Evaluation, result: EvaluationResult?) {
        state.withLock {
            $0.evaluations[evaluation.challenge] = evaluation
            $0.results[evaluation.challenge] = result
        }
    }

    func setReachable(_ reachable: Bool) { state.withLock { $0.reachable = reachable } }
    /// Who called, in the role the token gave.
    var callers: [Actor] { state.withLock { $0.callers } }

    var router: RPCRouter {
        var router = RPCRouter()
        router.register(EvaluationAPI.getResult) { request, context in
            try self.answer(context) { state throws(RPCError) in
                guard let evaluation = state.evaluations[request.challenge] else { throw RPCError(.notFound, "challenge \(request.challenge) has no evaluation") }
                guard evaluation.status == .finalised, let result = state.results[request.challenge] else {
                    throw RPCError(.failedPrecondition, "the evaluation of \(request.challenge) is not finalised yet")
                }
                return result
            }
        }
        router.register(EvaluationAPI.getEvaluation) { request, context in
            try self.answer(context) { state throws(RPCError) in
                guard let evaluation = state.evaluations[request.challenge] else { throw RPCError(.notFound, "challenge \(request.challenge) has no evaluation") }
                return evaluation
            }
        }
        return router
    }

    private func answer<T: Sendable>(_ context: CallContext, _ body: (State) throws(RPCError) -> T) throws(RPCError) -> T {
        let principal = try context.requirePrincipal()
        let result: Result<T, RPCError> = state.withLock { state in
            state.callers.append(Actor(subject: principal.subject, role: principal.has(.service) ? .service : .officer))
            guard state.reachable else { return .failure(RPCError(.unavailable, "Evaluation is down")) }
            do throws(RPCError) { return .success(try body(state)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A client of this fake presenting a service token for `negotiation`.
    func client(environment: TestEnvironment, logger: Logger) async throws -> RPCClient {
        let dispatcher = RPCDispatcher(
            router: router, authenticator: try await JWTAuthenticator.trusting(environment.issuer), idempotency: InMemoryIdempotencyStore(), logger: logger)
        return RPCClient(
            transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: StaticTokenProvider(try await environment.token(.service, subject: "negotiation")),
            defaultTimeout: .seconds(60), retryPolicy: .none, logger: logger)
    }
}
