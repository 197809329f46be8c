public import Messages

/// A transport to one replica that can tell a request that never left this process from
/// one that may have reached the server, so that ``BalancedClientTransport`` can hand the
/// first to another replica whatever the method, and leave the second to the call layer.
///
/// Both HTTP/2 engines adopt it: ``HTTP2ClientTransport`` (NIOHTTP2) and the libnghttp2
/// client in `RPCNGHTTP2`. ``send(_:)`` comes for free: it turns ``UndeliveredRequest``
/// into its `unavailable` error, as ``ClientTransport`` promises.
public protocol ReplicaTransport: ClientTransport {
    /// Like ``ClientTransport/send(_:)``, but a request that never left this process (no
    /// connection could be had, or no stream was opened for it, or the server refused the
    /// stream unprocessed) throws ``UndeliveredRequest``.
    func deliver(_ request: ClientRequest) async throws -> ClientResponse

    /// Closes every connection of this transport; a later call connects again.
    func close() async
}

extension ReplicaTransport {
    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        do {
            return try await deliver(request)
        } catch let undelivered as UndeliveredRequest {
            throw undelivered.error
        }
    }
}

/// A request that never left this process: no connection, no stream opened for it, or a
/// stream the server refused before processing it (REFUSED_STREAM, or above a GOAWAY's
/// last stream id). Repeating it elsewhere is safe for any method.
public struct UndeliveredRequest: Error, Sendable {
    /// What the caller sees when nobody takes the request: `unavailable`.
    public let error: RPCError

    public init(error: RPCError) {
        self.error = error
    }
}
