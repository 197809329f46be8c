import Foundation
import Logging
import Messages
import RPC

/// A tiny two-service setup for `CallContext` inheritance: `Front` calls `Back` through an
/// ``RPCClient`` from inside its handler, and both report the context they saw.
enum ProbeAPI {
    static let service = "tender.probe.v1.ProbeService"
    static let front = Method<ProbeRequest, ProbeReport>(service: service, name: "Front", kind: .idempotent, access: .everyone)
    static let back = Method<ProbeRequest, ContextSnapshot>(service: service, name: "Back", kind: .idempotent, access: .everyone)
}

struct ProbeRequest: Codable, Sendable {
    /// The timeout `Front` asks for on its call to `Back`.
    var backTimeoutMs: Int?
}

/// What a handler saw of its call.
struct ContextSnapshot: Codable, Sendable, Equatable {
    var traceID: String
    var spanID: String
    var requestID: String
    var budgetMs: Int?
    /// Whether `CallContext.current` inside the handler was the context it was given.
    var currentMatches: Bool

    init(_ context: CallContext) {
        traceID = context.trace.traceID
        spanID = context.trace.spanID
        requestID = context.requestID
        budgetMs = context.deadline.map { deadline in
            let left = ContinuousClock.now.duration(to: deadline).components
            return Int(left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000)
        }
        currentMatches = CallContext.current?.requestID == context.requestID && CallContext.current?.trace == context.trace
    }
}

struct ProbeReport: Codable, Sendable {
    var front: ContextSnapshot
    var back: ContextSnapshot
}

/// `Back` on its own dispatcher, `Front` on another that calls it in-process.
struct ProbePair {
    let front: RPCDispatcher
    let back: RPCDispatcher

    init() {
        var backRouter = RPCRouter()
        backRouter.register(ProbeAPI.back) { _, context in ContextSnapshot(context) }
        let back = RPCDispatcher(router: backRouter, authenticator: nil, idempotency: InMemoryIdempotencyStore(), logger: TestBackend.logger)
        let backClient = RPCClient(transport: InProcessTransport(dispatcher: back), logger: TestBackend.logger)
        var frontRouter = RPCRouter()
        frontRouter.register(ProbeAPI.front) { request, context in
            let mine = ContextSnapshot(context)
            let theirs = try await backClient.call(
                ProbeAPI.back, ProbeRequest(), options: .init(timeout: request.backTimeoutMs.map { .milliseconds($0) }))
            return ProbeReport(front: mine, back: theirs)
        }
        self.back = back
        self.front = RPCDispatcher(router: frontRouter, authenticator: nil, idempotency: InMemoryIdempotencyStore(), logger: TestBackend.logger)
    }
}
