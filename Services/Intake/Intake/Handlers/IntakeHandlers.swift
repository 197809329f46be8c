import Messages
public import RPC

/// The methods of `tender.intake.v1.IntakeService` over an ``IntakeService``.
///
/// The runtime has checked each method's roles already; here the caller is named in the
/// role it acts in (the actor of any event the call causes).
public struct IntakeHandlers: Sendable {
    let intake: IntakeService

    public init(intake: IntakeService) { self.intake = intake }

    public var router: RPCRouter {
        var router = RPCRouter()
        router.register(IntakeAPI.createChallenge) { request, context in try await intake.createChallenge(request, by: Self.caller(context)) }
        router.register(IntakeAPI.updateDraft) { request, context in try await intake.updateDraft(request, by: Self.caller(context)) }
        router.register(IntakeAPI.publishChallenge) { request, context in try await intake.publishChallenge(request, by: Self.caller(context)) }
        router.register(IntakeAPI.amendChallenge) { request, context in try await intake.amendChallenge(request, by: Self.caller(context)) }
        router.register(IntakeAPI.getChallenge) { request, context in try await intake.getChallenge(request, by: Self.optionalCaller(context)) }
        router.register(IntakeAPI.listChallenges) { request, context in try await intake.listChallenges(request, by: Self.optionalCaller(context)) }
        router.register(IntakeAPI.registerInterest) { request, context in try await intake.registerInterest(request, by: Self.caller(context)) }
        router.register(IntakeAPI.askQuestion) { request, context in try await intake.askQuestion(request, by: Self.caller(context)) }
        router.register(IntakeAPI.answerQuestion) { request, context in try await intake.answerQuestion(request, by: Self.caller(context)) }
        router.register(IntakeAPI.listQuestions) { request, context in try await intake.listQuestions(request, by: Self.optionalCaller(context)) }
        router.register(IntakeAPI.listNotices) { request, context in try await intake.listNotices(request, by: Self.caller(context)) }
        router.register(IntakeAPI.submitApplication) { request, context in try await intake.submitApplication(request, by: Self.caller(context)) }
        router.register(IntakeAPI.amendApplication) { request, context in try await intake.amendApplication(request, by: Self.caller(context)) }
        router.register(IntakeAPI.withdrawApplication) { request, context in try await intake.withdrawApplication(request, by: Self.caller(context)) }
        router.register(IntakeAPI.getApplication) { request, context in try await intake.getApplication(request, by: Self.caller(context)) }
        router.register(IntakeAPI.listApplications) { request, context in try await intake.listApplications(request, by: Self.caller(context)) }
        router.register(IntakeAPI.closeIntake) { request, context in try await intake.closeIntake(request, by: Self.caller(context)) }
        return router
    }

    /// Roles in the order a caller holding several acts in them: the most privileged
    /// first, so an officer who is also a startup reads as an officer.
    static let precedence: [Role] = [.officer, .auditor, .service, .evaluator, .negotiator, .startup]

    /// The caller of a method that requires a role, in the first of its allowed roles it holds.
    static func caller(_ context: CallContext) throws(RPCError) -> Caller {
        let principal = try context.requirePrincipal()
        let allowed: Set<Role>? = if case .roles(let roles) = context.method.access { roles } else { nil }
        guard let role = precedence.first(where: { principal.has($0) && allowed?.contains($0) != false }) else {
            throw RPCError(.permissionDenied, "\(context.method.name) is not allowed for this caller")
        }
        return Caller(subject: principal.subject, role: role, organisation: principal.organisation)
    }

    /// The caller of a method open to everyone: nil without a token, or with one that holds
    /// none of the roles (it reads what the public reads).
    static func optionalCaller(_ context: CallContext) -> Caller? {
        guard let principal = context.principal, let role = precedence.first(where: principal.has) else { return nil }
        return Caller(subject: principal.subject, role: role, organisation: principal.organisation)
    }
}
