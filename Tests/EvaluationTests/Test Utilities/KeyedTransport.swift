import HTTPTypes
import RPC

/// Sends every call with an `idempotency-key` header, which ``RPCClient`` sends only on
/// mutating methods: to show what the server does with a key on an idempotent one.
struct KeyedTransport: ClientTransport {
    let inner: InProcessTransport
    let idempotencyKey: String

    func send(_ request: ClientRequest) async throws -> ClientResponse {
        var request = request
        request.headers[.idempotencyKey] = idempotencyKey
        return try await inner.send(request)
    }
}
