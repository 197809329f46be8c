import Foundation
public import Logging
import Messages
public import NIOCore
public import NIOPosix
import NIOSSL
public import RPC

/// The client transport on libnghttp2: framing, HPACK and flow control in C, SwiftNIO only
/// moving bytes — the client half of the engine ``NGHTTP2Server`` is the server half of.
///
/// A small pool of connections to one target (round-robin), each carrying many concurrent
/// calls as streams of one nghttp2 session; h2c with prior knowledge for `http://`, TLS with
/// ALPN `h2` for `https://`. A call costs no channel and no task of its own: it is an entry
/// in its connection's stream table and one hop to the event loop and back.
///
/// Semantics are those of ``RPC/HTTP2ClientTransport``, so ``RPC/RPCClient``'s retries and
/// ``RPC/BalancedClientTransport`` work the same over either:
/// - `unavailable` when no connection could be had (after a failed connect the slot waits
///   out an exponential backoff, capped at `maxReconnectBackoff`, failing fast meanwhile)
///   or when the connection broke; ``deliver(_:)`` throws ``RPC/UndeliveredRequest`` when
///   the request never left this process or the server refused its stream unprocessed
///   (REFUSED_STREAM, above a GOAWAY's last stream id);
/// - `deadline_exceeded` at `request.deadline`, and the stream is reset (RST_STREAM
///   CANCEL) so the server cancels its handler; a cancelled task resets its stream too;
/// - `resource_exhausted` for a response body larger than `maxResponseBodyBytes`.
///
/// The server's SETTINGS_MAX_CONCURRENT_STREAMS is kept: calls beyond it wait on their
/// connection for a stream to close. After GOAWAY a connection takes no new calls and the
/// next call connects anew. ``close()`` closes every connection.
///
/// ```swift
/// let transport = try NGHTTP2ClientTransport(url: "http://10.0.0.5:7100", logger: logger)
/// let records = RPCClient(transport: transport)
/// …
/// await transport.close()
/// ```
public final class NGHTTP2ClientTransport: ReplicaTransport {
    public let host: String
    public let port: Int
    let tls: NIOSSLContext?
    let serverHostname: String?
    let target: ClientTarget
    let group: any EventLoopGroup
    let pool: ClientConnectionPool
    let logger: Logger

    /// - Parameters:
    ///   - tls: TLS with ALPN `h2` when set; h2c with prior knowledge otherwise.
    ///   - connections: connections to the target, used round-robin (at least 1).
    ///   - maxResponseBodyBytes: a larger response fails the call with `resource_exhausted`
    ///     (default 16 MiB).
    public init(
        host: String, port: Int, tls: ClientTLS? = nil, connections: Int = 2,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxReconnectBackoff: Duration = .seconds(5),
        maxResponseBodyBytes: Int = 16 << 20, logger: Logger = Logger(label: "tender.rpc.nghttp2-client")
    ) throws {
        self.host = host
        self.port = port
        self.tls = try tls?.makeContext()
        self.serverHostname = tls?.serverName(for: host)
        self.target = ClientTarget(authority: "\(host):\(port)", scheme: tls == nil ? "http" : "https", maxResponseBodyBytes: maxResponseBodyBytes)
        self.group = group
        self.pool = ClientConnectionPool(size: connections, maxBackoff: maxReconnectBackoff)
        self.logger = logger
    }

    /// Parses `http://host:port` (h2c) or `https://host:port` (TLS) into a transport.
    public convenience init(url: String, tls: ClientTLS? = nil, connections: Int = 2, logger: Logger = Logger(label: "tender.rpc.nghttp2-client")) throws {
        guard let components = URLComponents(string: url), let host = components.host,
              let scheme = components.scheme, scheme == "http" || scheme == "https"
        else { throw RPCError(.invalidArgument, "not an http(s) URL: \(url)") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        try self.init(host: host, port: port, tls: scheme == "https" ? (tls ?? ClientTLS()) : nil, connections: connections, logger: logger)
    }

    public func deliver(_ request: ClientRequest) async throws -> ClientResponse {
        guard ContinuousClock.now < request.deadline else { throw RPCError(.deadlineExceeded, "deadline exceeded before the call started") }
        let connection: ClientConnection
        do {
            connection = try await pool.connection { try await self.connect() }
        } catch let error as RPCError where error.code == .unavailable {
            throw UndeliveredRequest(error: error)
        }
        // A connect can outlast a short deadline (it is shared, and bounded at 5 s).
        guard ContinuousClock.now < request.deadline else { throw RPCError(.deadlineExceeded, "deadline exceeded while connecting") }
        return try await connection.exchange(request)
    }

    /// Closes every connection; a later call connects again.
    public func close() async {
        await pool.closeAll()
    }

    /// Connects and waits until the connection is ready (TLS handshake with ALPN `h2`,
    /// the server's SETTINGS); any failure is `unavailable`.
    private func connect() async throws -> ClientConnection {
        let tls = self.tls
        let serverHostname = self.serverHostname
        let target = self.target
        let logger = self.logger
        do {
            let connection = try await ClientBootstrap(group: group)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                        }
                        let gate = StreamGate()
                        let ready = channel.eventLoop.makePromise(of: Void.self)
                        let session = ClientSession(target: target, gate: gate, ready: ready, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(session)
                        return ClientConnection(
                            channel: channel, session: NIOLoopBound(session, eventLoop: channel.eventLoop), gate: gate, ready: ready.futureResult)
                    }
                }
            do {
                try await connection.ready.get()
            } catch {
                await connection.close()
                throw error
            }
            return connection
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(target.authority): \(error)")
        }
    }
}
