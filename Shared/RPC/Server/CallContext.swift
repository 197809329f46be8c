public import Logging
public import Messages

/// What a handler knows about the call it is serving.
///
/// The runtime also makes it the task-local ``current`` while the handler runs, so an
/// ``RPCClient`` call made from inside a handler inherits the remaining deadline, the trace
/// and the request id without the handler passing them on by hand.
public struct CallContext: Sendable {
    public var method: MethodDescriptor
    /// The verified caller; nil on a method open to everyone called without a token.
    public var principal: Principal?
    public var requestID: String
    public var trace: TraceContext
    /// When the caller stops waiting (from `connect-timeout-ms`); nil: no deadline.
    public var deadline: ContinuousClock.Instant?
    public var idempotencyKey: String?
    public var logger: Logger

    public init(
        method: MethodDescriptor, principal: Principal?, requestID: String, trace: TraceContext,
        deadline: ContinuousClock.Instant?, idempotencyKey: String?, logger: Logger
    ) {
        self.method = method
        self.principal = principal
        self.requestID = requestID
        self.trace = trace
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
        self.logger = logger
    }

    /// The caller, or `unauthenticated` when there is none (for handlers of methods open to
    /// everyone that still need to know who asks).
    public func requirePrincipal() throws(RPCError) -> Principal {
        guard let principal else { throw RPCError(.unauthenticated, "a bearer token is required") }
        return principal
    }

    @TaskLocal public static var current: CallContext?
}
