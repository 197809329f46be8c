public import HTTPTypes
public import NIOCore

/// One request as the call layer hands it to a transport.
public struct ClientRequest: Sendable {
    public var path: String
    public var headers: HTTPFields
    public var body: ByteBuffer
    /// The transport gives up at this instant with `deadline_exceeded`.
    public var deadline: ContinuousClock.Instant

    public init(path: String, headers: HTTPFields, body: ByteBuffer, deadline: ContinuousClock.Instant) {
        self.path = path
        self.headers = headers
        self.body = body
        self.deadline = deadline
    }
}

/// The response as a transport received it.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPFields
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Moves a request to a server and its response back: HTTP/2 over a socket, or a direct
/// call into an ``RPCDispatcher`` in the same process.
///
/// A transport throws `RPCError(.unavailable)` when the request could not be delivered or
/// the connection broke, and `RPCError(.deadlineExceeded)` at the deadline.
public protocol ClientTransport: Sendable {
    func send(_ request: ClientRequest) async throws -> ClientResponse
}
