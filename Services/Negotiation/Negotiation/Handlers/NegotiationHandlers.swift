import Messages
public import RPC

/// The methods of `tender.negotiation.v1.NegotiationService` over a ``NegotiationService``.
///
/// The runtime has checked each method's roles already; here the caller is named in the
/// role it acts in (the actor of any event the call causes, and the role a grant names).
public struct NegotiationHandlers: Sendable {
    let negotiation: NegotiationService

    public init(negotiation: NegotiationService) { self.negotiation = negotiation }

    public var router: RPCRouter {
        var router = RPCRouter()
        let service = negotiation
        router.register(NegotiationAPI.openDialogues) { request, context in try await service.openDialogues(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.assignNegotiators) { request, context in try await service.assignNegotiators(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.getDialogue) { request, context in try await service.getDialogue(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.listDialogues) { request, context in try await service.listDialogues(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.scheduleRound) { request, context in try await service.scheduleRound(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.recordMeeting) { request, context in try await service.recordMeeting(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.sendMessage) { request, context in try await service.sendMessage(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.requestAccess) { request, context in try await service.requestAccess(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.sendClarification) { request, context in try await service.sendClarification(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.submitOffer) { request, context in try await service.submitOffer(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.definePilot) { request, context in try await service.definePilot(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.reportPilotResult) { request, context in try await service.reportPilotResult(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.decidePilot) { request, context in try await service.decidePilot(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.decide) { request, context in try await service.decide(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.registerComplaint) { request, context in try await service.registerComplaint(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.resolveComplaint) { request, context in try await service.resolveComplaint(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.signAgreement) { request, context in try await service.signAgreement(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.decideGate) { request, context in try await service.decideGate(request, by: Self.caller(context)) }
        router.register(NegotiationAPI.endDialogue) { request, context in try await service.endDialogue(request, by: Self.caller(context)) }
        return router
    }

    /// Roles in the order a caller holding several acts in them: the most privileged first,
    /// so an officer who is also a negotiator reads as an officer.
    static let precedence: [Role] = [.officer, .auditor, .negotiator, .startup]

    /// The caller, in the first of the method's allowed roles it holds. A startup must act for
    /// an organisation (the token's `org` claim): every dialogue is one organisation's.
    static func caller(_ context: CallContext) throws(RPCError) -> Caller {
        let principal = try context.requirePrincipal()
        let allowed: Set<Role>? = if case .roles(let roles) = context.method.access { roles } else { nil }
        guard let role = precedence.first(where: { principal.has($0) && allowed?.contains($0) != false }) else {
            throw RPCError(.permissionDenied, "\(context.method.name) is not allowed for this caller")
        }
        let caller = Caller(subject: principal.subject, role: role, organisation: principal.organisation)
        if role == .startup { _ = try caller.requireOrganisation() }
        return caller
    }
}
