import Messages
public import RPC

/// The methods of `tender.evaluation.v1.EvaluationService` over an ``EvaluationService``.
///
/// The runtime has checked each method's roles already; here the caller is named in the
/// role it acts in (the actor of any event the call causes).
public struct EvaluationHandlers: Sendable {
    let evaluation: EvaluationService

    public init(evaluation: EvaluationService) { self.evaluation = evaluation }

    public var router: RPCRouter {
        var router = RPCRouter()
        let service = evaluation
        router.register(EvaluationAPI.openEvaluation) { request, context in try await service.openEvaluation(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getEvaluation) { request, context in try await service.getEvaluation(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.assignEvaluators) { request, context in try await service.assignEvaluators(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.declareImpartiality) { request, context in try await service.declareImpartiality(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.declareConflict) { request, context in try await service.declareConflict(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.requestAccess) { request, context in try await service.requestAccess(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.removeEvaluator) { request, context in try await service.removeEvaluator(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.submitScores) { request, context in try await service.submitScores(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getMyScores) { request, context in try await service.getMyScores(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getApplicationScores) { request, context in try await service.getApplicationScores(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getProgress) { request, context in try await service.getProgress(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.recordConsensus) { request, context in try await service.recordConsensus(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.finalize) { request, context in try await service.finalize(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getResult) { request, context in try await service.getResult(request, by: Self.caller(context)) }
        router.register(EvaluationAPI.getFeedback) { request, context in try await service.getFeedback(request, by: Self.caller(context)) }
        return router
    }

    /// Roles in the order a caller holding several acts in them: the most privileged first,
    /// so an officer who is also an evaluator reads as an officer.
    static let precedence: [Role] = [.officer, .auditor, .service, .evaluator, .negotiator, .startup]

    /// The caller, in the first of the method's allowed roles it holds.
    static func caller(_ context: CallContext) throws(RPCError) -> Caller {
        let principal = try context.requirePrincipal()
        let allowed: Set<Role>? = if case .roles(let roles) = context.method.access { roles } else { nil }
        guard let role = precedence.first(where: { principal.has($0) && allowed?.contains($0) != false }) else {
            throw RPCError(.permissionDenied, "\(context.method.name) is not allowed for this caller")
        }
        return Caller(subject: principal.subject, role: role, organisation: principal.organisation)
    }
}
