public import Logging
public import RPC

extension RPCRouter {
    /// ``SafetyAPI``'s handlers. The fuzzer leaves `Sleep` out (`sleeping: false`), so an
    /// input cannot stall it for seconds.
    public static func safety(sleeping: Bool = true) -> RPCRouter {
        var router = RPCRouter()
        router.register(SafetyAPI.echo) { request, _ in request }
        if sleeping {
            router.register(SafetyAPI.sleep) { request, _ in
                let milliseconds = min(max(request.milliseconds, 0), SleepRequest.cap)
                try await Task.sleep(for: .milliseconds(milliseconds))
                return SleepResponse(slept: milliseconds)
            }
        }
        return router
    }
}

extension RPCDispatcher {
    /// The real dispatcher over ``RPCRouter/safety(sleeping:)``: no authenticator (every
    /// method admits everyone), idempotency in memory, body cap `maxRequestBodyBytes`.
    public static func safety(sleeping: Bool = true, maxRequestBodyBytes: Int = 4 << 20, logger: Logger) -> RPCDispatcher {
        RPCDispatcher(
            router: .safety(sleeping: sleeping), authenticator: nil, idempotency: InMemoryIdempotencyStore(),
            configuration: RPCServerConfiguration(maxRequestBodyBytes: maxRequestBodyBytes), logger: logger)
    }
}
