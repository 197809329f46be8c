public import Messages
import NIOCore

/// The methods a server answers, each registered against its descriptor from `Messages`.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(RecordsAPI.append) { request, context in
///     try await log.append(request.event, by: context.requirePrincipal())
/// }
/// ```
public struct RPCRouter: Sendable {
    struct Route: Sendable {
        let descriptor: MethodDescriptor
        let invoke: @Sendable (ByteBuffer, CallContext) async throws -> ByteBuffer
    }

    private(set) var routes: [String: Route] = [:]

    public init() {}

    /// Registers `handler` for `method`. Registering a method twice is a programming error.
    public mutating func register<Request, Response>(
        _ method: Method<Request, Response>,
        handler: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) {
        precondition(routes[method.path] == nil, "\(method.descriptor) registered twice")
        routes[method.path] = Route(descriptor: method.descriptor) { body, context in
            let request = try JSONWire.decode(Request.self, from: body)
            let response = try await handler(request, context)
            return try JSONWire.encode(response)
        }
    }

    /// Every registered method.
    public var methods: [MethodDescriptor] { routes.values.map(\.descriptor).sorted { $0.path < $1.path } }

    func route(for path: String) -> Route? { routes[path] }
}
