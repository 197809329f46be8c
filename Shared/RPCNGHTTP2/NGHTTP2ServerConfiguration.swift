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

    public init(
        maxConcurrentStreams: Int = 100, maxHeaderListSize: Int = 16 << 10, maxRequestBodyBytes: Int = 4 << 20,
        idleTimeout: Duration = .seconds(300), maxAge: Duration? = nil, gracefulCloseTimeout: Duration = .seconds(10),
        handshakeTimeout: Duration = .seconds(10)
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxHeaderListSize = maxHeaderListSize
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maxAge = maxAge
        self.gracefulCloseTimeout = gracefulCloseTimeout
    }

    /// The same limits a service configures for the Hummingbird engine.
    public init(limits: RPCConnectionLimits, server: RPCServerConfiguration) {
        self.init(
            maxRequestBodyBytes: server.maxRequestBodyBytes, idleTimeout: limits.idleTimeout,
            maxAge: limits.maxAge, gracefulCloseTimeout: limits.gracefulCloseTimeout)
    }
}
