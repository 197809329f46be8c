import Foundation
import HTTPTypes
public import Logging
import Messages
import NIOFoundationCompat
import Synchronization

/// Spreads calls over the replicas of one service, each reached through a transport of its
/// own: round-robin, so that without a load balancer in front (the local stack, a plain VM
/// deployment) every replica takes its share.
///
/// A call moves on to the next replica, at once and within the same ``send(_:)``, when
/// - the request never left this process (a ``ReplicaTransport`` — ``HTTP2ClientTransport``
///   or the libnghttp2 client — could not connect, is backing off after failed connects,
///   could open no stream, or the server refused the stream unprocessed): safe for any
///   method;
/// - the replica answered `unavailable`: by the project's error contract that answer means
///   the call did not take effect there — a replica that is draining after SIGTERM, or a
///   Records standby refusing `Append`.
///
/// Every replica is tried at most once per send. When all of them fail, the last failure
/// is what the call layer sees, and its ``RetryPolicy`` decides whether to try again (the
/// next attempt starts at the next replica). A connection that broke while a request was on
/// it is never moved here: the request may have reached a handler, and only the call layer
/// knows whether repeating it is safe.
///
/// ```swift
/// let records = RPCClient(transport: try BalancedClientTransport.transport(urls: "http://10.0.0.5:7100,http://10.0.0.6:7100"))
/// ```
public final class BalancedClientTransport: ClientTransport {
    public let replicas: [any ClientTransport]
    private let next = Atomic<Int>(0)

    /// - Parameter replicas: one transport per replica; at least one.
    public init(replicas: [any ClientTransport]) {
        precondition(!replicas.isEmpty, "a balanced transport needs at least one replica")
        self.replicas = replicas
    }

    /// One ``HTTP2ClientTransport`` per URL of a comma-separated list
    /// (`http://host:port,http://host:port`).
    public convenience init(urls: String, tls: ClientTLS? = nil, connections: Int = 2, logger: Logger = Logger(label: "tender.rpc.http2-client")) throws {
        let list = Self.urls(in: urls)
        guard !list.isEmpty else { throw RPCError(.invalidArgument, "no URL in '\(urls)'") }
        self.init(replicas: try list.map { try HTTP2ClientTransport(url: $0, tls: tls, connections: connections, logger: logger) })
    }

    /// The transport for a URL or a comma-separated list of URLs: an ``HTTP2ClientTransport``
    /// for one, a ``BalancedClientTransport`` over one each for several.
    public static func transport(urls: String, tls: ClientTLS? = nil, connections: Int = 2, logger: Logger = Logger(label: "tender.rpc.http2-client")) throws -> any ClientTransport {
        try transport(urls: urls) { try HTTP2ClientTransport(url: $0, tls: tls, connections: connections, logger: logger) }
    }

    /// The same for any engine: `replica(url)` makes the transport to one replica.
    public static func transport(urls: String, replica: (String) throws -> any ReplicaTransport) throws -> any ClientTransport {
        let list = Self.urls(in: urls)
        guard !list.isEmpty else { throw RPCError(.invalidArgument, "no URL in '\(urls)'") }
        if list.count == 1 { return try replica(list[0]) }
        return BalancedClientTransport(replicas: try list.map(replica))
    }

    /// The URLs of a comma-separated list, blanks trimmed, empty items dropped.
    public static func urls(in list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        let first = next.add(1, ordering: .relaxed).oldValue
        var last: Result<ClientResponse, RPCError> = .failure(RPCError(.unavailable, "no replica could take the call"))
        for offset in 0..<replicas.count {
            if offset > 0 { guard ContinuousClock.now < request.deadline, !Task.isCancelled else { break } }
            let replica = replicas[Int((first &+ offset).magnitude % UInt(replicas.count))]
            do {
                let response = if let direct = replica as? any ReplicaTransport {
                    try await direct.deliver(request)
                } else {
                    try await replica.send(request)
                }
                guard Self.isRefusal(response) else { return response }
                last = .success(response)
            } catch let undelivered as UndeliveredRequest {
                last = .failure(undelivered.error)
            }
        }
        return try last.get()
    }

    /// Closes the connections of every replica that is a ``ReplicaTransport``.
    public func close() async {
        for case let replica as any ReplicaTransport in replicas { await replica.close() }
    }

    /// A replica's answer `unavailable` (HTTP 503 with that Connect code).
    static func isRefusal(_ response: ClientResponse) -> Bool {
        guard response.status == 503, Wire.isJSON(response.headers[.contentType]),
              let error = try? JSONWire.decode(RPCError.self, from: response.body) else { return false }
        return error.code == .unavailable
    }
}
