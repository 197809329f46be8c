public import RPC

/// The limits the libnghttp2 engine sets on every connection (DESIGN.md §2, "Limits").
///
/// The call-level limits (body cap as the dispatcher enforces it, call duration) stay in
/// ``RPC/RPCServerConfiguration``; these are the HTTP/2 ones.
public struct NGHTTP2ServerConfiguration: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open on one connection
    /// (default 100, as NIOHTTP2's). A stream stays open until its answer is sent, so this
    /// also bounds the calls one connection has in flight.
    public var maxConcurrentStreams: Int
    /// SETTINGS_MAX_HEADER_LIST_SIZE, enforced: a request whose header list (name + value +
    /// 32 bytes per field, RFC 9113 §6.5.2) is larger is reset (default 16 KiB).
    public var maxHeaderListSize: Int
    /// Request body bytes buffered per stream (default 4 MiB). Past it the rest of the body
    /// is dropped and the call is dispatched at once, so the dispatcher answers
    /// `resource_exhausted` after its authentication checks. Keep it equal to
    /// ``RPC/RPCServerConfiguration/maxRequestBodyBytes``.
    public var maxRequestBodyBytes: Int
    /// A connection with no open stream for this long gets GOAWAY and is closed (default 300 s).
    public var idleTimeout: Duration
    /// A connection that has not sent the client preface and its SETTINGS within this long
    /// is closed (default 10 s): a socket that never speaks HTTP/2 does not hold a
    /// connection, its session and its memory for the whole idle timeout.
    public var handshakeTimeout: Duration
    /// A connection older than this gets a graceful GOAWAY, so clients rebalance over
    /// replicas (default none).
    public var maxAge: Duration?
    /// After the graceful GOAWAY (shutdown or max age), how long open streams may still
    /// finish before the connection is closed regardless (default 10 s).
    public var gracefulCloseTimeout: Duration
    /// Client connections the server holds at once (default 4,096). One more is closed as
    /// soon as it is accepted: no TLS handshake, no nghttp2 session, no bytes written (the
    /// client sees the connection end and may retry, elsewhere or later). Each refusal counts
    /// in `rpc_server_connections_refused_total`, and a `notice` log line at most every 10 s
    /// says how many were refused. Connections already open are not affected.
    public var maxConnections: Int
    /// Request body bytes one connection may hold — bodies still arriving plus the bodies of
    /// its calls still running — before it stops returning flow-control credit (default
    /// 8 MiB). Past it, a stream that sends more finds its window closing, so a client that
    /// uploads faster than its calls finish is slowed by HTTP/2 flow control instead of
    /// growing the server's memory; the credit comes back as calls answer and their bodies
    /// are released. Progress is never blocked: while no call of the connection is running,
    /// its oldest stream still receiving a body keeps getting credit, so it completes and
    /// is dispatched. A connection can thus hold at most about this budget, plus one stream
    /// window (64 KiB) per open stream, plus one ``maxRequestBodyBytes``.
    public var maxBufferedRequestBytesPerConnection: Int
    /// A connection whose socket has not become writable again for this long while output
    /// waits (the client stopped reading) is closed (default 30 s). While the socket is not
    /// writable the connection reads nothing more from it, so such a client can only hold
    /// what was already queued, and only this long. The same timeout closes a connection
    /// whose answers wait while no byte of any of them goes out (a client that grants no
    /// flow-control window keeps the socket writable).
    public var writeStallTimeout: Duration

    public init(
        maxConcurrentStreams: Int = 100, maxHeaderListSize: Int = 16 << 10, maxRequestBodyBytes: Int = 4 << 20,
        idleTimeout: Duration = .seconds(300), maxAge: Duration? = nil, gracefulCloseTimeout: Duration = .seconds(10),
        handshakeTimeout: Duration = .seconds(10), maxConnections: Int = 4096,
        maxBufferedRequestBytesPerConnection: Int = 8 << 20, writeStallTimeout: Duration = .seconds(30)
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxHeaderListSize = maxHeaderListSize
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maxAge = maxAge
        self.gracefulCloseTimeout = gracefulCloseTimeout
        self.maxConnections = maxConnections
        self.maxBufferedRequestBytesPerConnection = maxBufferedRequestBytesPerConnection
        self.writeStallTimeout = writeStallTimeout
    }

    /// The same limits a service configures for the Hummingbird engine.
    public init(limits: RPCConnectionLimits, server: RPCServerConfiguration) {
        self.init(
            maxRequestBodyBytes: server.maxRequestBodyBytes, idleTimeout: limits.idleTimeout,
            maxAge: limits.maxAge, gracefulCloseTimeout: limits.gracefulCloseTimeout)
    }
}
