public import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
public import Logging
import NIOCore
public import NIOSSL

/// TLS for the RPC listener: HTTP/2 negotiated with ALPN `h2`, and with a client CA
/// mutual TLS — a connection without a certificate from that CA fails the handshake.
public struct RPCServerTLS: Sendable {
    public var certificateChainPath: String
    public var privateKeyPath: String
    /// PEM file of the CA(s) client certificates must chain to; nil: no client certificate.
    public var clientCAPath: String?

    public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
    }

    /// The server context for an HTTP/2-only listener: ALPN offers `h2` alone (the
    /// libnghttp2 engine speaks nothing else).
    public func makeHTTP2Context() throws -> NIOSSLContext {
        var configuration = try configuration()
        configuration.applicationProtocols = ["h2"]
        return try NIOSSLContext(configuration: configuration)
    }

    func configuration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        if let clientCAPath {
            tls.trustRoots = .file(clientCAPath)
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }
}

/// Connection limits of the HTTP/2 listener.
public struct RPCConnectionLimits: Sendable {
    /// Close a connection with no open stream after this long.
    public var idleTimeout: Duration
    /// Close (with GOAWAY) a connection older than this, so clients rebalance over replicas.
    public var maxAge: Duration?
    /// After GOAWAY on shutdown, how long in-flight streams may still finish.
    public var gracefulCloseTimeout: Duration

    public init(idleTimeout: Duration = .seconds(300), maxAge: Duration? = nil, gracefulCloseTimeout: Duration = .seconds(10)) {
        self.idleTimeout = idleTimeout
        self.maxAge = maxAge
        self.gracefulCloseTimeout = gracefulCloseTimeout
    }
}

/// The RPC listener on Hummingbird 2: h2c with prior knowledge, or HTTP/2 over TLS.
public enum RPCServer {
    /// An application (a ServiceLifecycle `Service`) serving `dispatcher` on `host:port`.
    /// Port 0 binds a free port; `onServerRunning` receives the bound port. Connections are
    /// recorded in `connections`, so a graceful shutdown can wait for them to close.
    public static func application(
        dispatcher: RPCDispatcher, host: String, port: Int, tls: RPCServerTLS? = nil,
        limits: RPCConnectionLimits = .init(), connections: ConnectionRegistry? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var configuration = HTTP2ChannelConfiguration(idleTimeout: limits.idleTimeout, gracefulCloseTimeout: limits.gracefulCloseTimeout)
        // Set after init: Hummingbird 2.28's initialiser drops its maxAgeTimeout argument.
        configuration.maxAgeTimeout = limits.maxAge
        let server: HTTPServerBuilder
        if let tls {
            server = try .http2Upgrade(tlsConfiguration: try tls.configuration(), configuration: configuration)
        } else {
            server = .plaintextHTTP2(configuration: configuration)
        }
        return Application(
            responder: RPCResponder(dispatcher: dispatcher, readsPeerCertificate: tls?.clientCAPath != nil, connections: connections),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
