import HTTPTypes
import Messages
import NIOCore

/// Calls an ``RPCDispatcher`` directly: the whole server pipeline (auth, roles, deadline,
/// idempotency, codec) without sockets, so service logic and service-to-service calls are
/// testable in microseconds.
public struct InProcessTransport: ClientTransport {
    let dispatcher: RPCDispatcher

    public init(dispatcher: RPCDispatcher) { self.dispatcher = dispatcher }

    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        let body = request.body
        let response = await dispatcher.handle(method: .post, path: request.path, headers: request.headers) { limit in
            guard body.readableBytes <= limit else { throw RPCError(.resourceExhausted, "request body exceeds \(limit) bytes") }
            return body
        }
        return ClientResponse(status: response.status.code, headers: response.headers, body: response.body)
    }
}
