public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL
public import RPC
public import ServiceLifecycle
import Synchronization

/// The RPC listener on libnghttp2: h2c with prior knowledge or HTTP/2 over TLS (ALPN `h2`,
/// mutual TLS with a client CA, as ``RPC/RPCServerTLS`` configures), framing, HPACK and flow
/// control in C, one nghttp2 session per connection driven from SwiftNIO's reads, and
/// every call answered by the same ``RPC/RPCDispatcher`` as the Hummingbird engine's.
///
/// There is no channel and no task per stream: a stream is an entry in its connection's
/// table until nghttp2 closes it, and a call costs one task (the dispatcher's) and one hop
/// back to the event loop.
///
/// As a ServiceLifecycle `Service`, ``run()`` serves until graceful shutdown, then stops
/// accepting, sends every connection a graceful GOAWAY and waits (at most
/// ``NGHTTP2ServerConfiguration/gracefulCloseTimeout``) for their streams to finish.
/// Refusing new calls before that (`RPCDispatcher.beginDraining()`) is the caller's part,
/// as it is for the Hummingbird engine.
///
/// ```swift
/// let server = NGHTTP2Server(dispatcher: dispatcher, host: "0.0.0.0", port: 7555, logger: logger)
/// let port = try await server.start()
/// …
/// await server.shutdown()
/// ```
public final class NGHTTP2Server: Service, Sendable {
    let dispatcher: RPCDispatcher
    let host: String
    let port: Int
    let tls: RPCServerTLS?
    let configuration: NGHTTP2ServerConfiguration
    let group: any EventLoopGroup
    let logger: Logger
    let onServerRunning: @Sendable (Int) async -> Void
    let connections = ConnectionSet()
    let admission: ConnectionAdmission
    private let listener = Mutex<(any Channel)?>(nil)

    /// - Parameters:
    ///   - port: 0 binds a free port; ``start()`` returns the bound one.
    ///   - tls: HTTP/2 over TLS; with a client CA, the client certificate's names become the
    ///     call's ``RPC/PeerIdentity`` (a service token's `sub` must be one of them).
    ///   - onServerRunning: called by ``run()`` with the bound port once it accepts.
    public init(
        dispatcher: RPCDispatcher, host: String, port: Int, tls: RPCServerTLS? = nil, configuration: NGHTTP2ServerConfiguration = .init(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.dispatcher = dispatcher
        self.host = host
        self.port = port
        self.tls = tls
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.onServerRunning = onServerRunning
        self.admission = ConnectionAdmission(limit: configuration.maxConnections)
    }

    /// Binds and starts accepting; returns the bound port. Unreadable TLS files fail here.
    public func start() async throws -> Int {
        let sslContext = try tls?.makeHTTP2Context()
        let readsPeerCertificate = tls?.clientCAPath != nil
        let dispatcher = self.dispatcher
        let configuration = self.configuration
        let connections = self.connections
        let logger = self.logger
        let admission = self.admission
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                // Over the cap: SwiftNIO closes a channel whose initializer failed.
                guard admission.admit(channel, logger: logger) else {
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(HTTP2Connection(
                        dispatcher: dispatcher, configuration: configuration, readsPeerCertificate: readsPeerCertificate,
                        connections: connections, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        listener.withLock { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    /// Stops accepting, sends every connection its graceful GOAWAY, waits until their open
    /// streams are answered (at most the graceful close timeout), then closes what is left.
    public func shutdown() async {
        if let channel = listener.withLock({ $0 }) { try? await channel.close() }
        connections.beginGracefulClose()
        await connections.waitUntilAllClosed(deadline: .now.advanced(by: configuration.gracefulCloseTimeout))
        connections.closeAll()
        await connections.waitUntilAllClosed(deadline: .now.advanced(by: .seconds(1)))
    }

    public func run() async throws {
        let port = try await start()
        logger.info("listening", metadata: ["port": .stringConvertible(port), "engine": "nghttp2", "tls": .stringConvertible(tls != nil)])
        await onServerRunning(port)
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Client connections open now.
    public var openConnections: Int { connections.count }

    /// Request body bytes the server's connections hold now: bodies still arriving and those
    /// of calls still running (each connection within about
    /// ``NGHTTP2ServerConfiguration/maxBufferedRequestBytesPerConnection``).
    public var bufferedRequestBytes: Int { connections.bufferedBytes }

    /// Connection handlers (each with its nghttp2 session) not yet freed; equals
    /// ``openConnections`` once closed connections have been torn down.
    public var liveConnectionHandlers: Int { connections.liveHandlers }
}
