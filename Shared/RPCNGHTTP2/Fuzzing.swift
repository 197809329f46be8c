public import Logging
public import NIOCore
public import RPC

/// The engine's connection handler on a channel the caller provides, for fuzzers and
/// safety harnesses (Safety/, scripts/nghttp2-safety) that feed a server session bytes
/// in-process, typically through SwiftNIO's `NIOAsyncTestingChannel`, instead of a socket.
///
/// Not for production code: import it as `@_spi(Fuzzing) import RPCNGHTTP2`. The handler
/// is the one ``NGHTTP2Server`` puts on every accepted connection, so what a fuzzer finds
/// here is what a client could do to a server.
extension NGHTTP2Server {
    /// Adds a connection handler to `channel`'s pipeline; its session starts (and queues
    /// its SETTINGS) when the channel is or becomes active. Call it on the channel's event
    /// loop.
    @_spi(Fuzzing)
    public static func addConnectionHandler(
        to channel: any Channel, dispatcher: RPCDispatcher, configuration: NGHTTP2ServerConfiguration = .init(), logger: Logger
    ) throws -> NGHTTP2ConnectionProbe {
        let connections = ConnectionSet()
        let handler = HTTP2Connection(dispatcher: dispatcher, configuration: configuration, connections: connections, logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        return NGHTTP2ConnectionProbe(
            connections: connections, handler: NIOLoopBound(WeakConnection(handler), eventLoop: channel.eventLoop))
    }
}

/// What a harness may ask of a connection added by
/// ``NGHTTP2Server/addConnectionHandler(to:dispatcher:configuration:logger:)``.
///
/// It holds the handler weakly, so it never keeps a closed connection alive: after the
/// channel closed and every call returned, ``liveHandlers`` must be 0, or the handler (and
/// its nghttp2 session) leaked.
@_spi(Fuzzing)
public struct NGHTTP2ConnectionProbe: Sendable {
    let connections: ConnectionSet
    let handler: NIOLoopBound<WeakConnection>

    /// Handlers added through this probe not yet deinitialised: 1 while the connection
    /// lives, 0 once it is freed.
    public var liveHandlers: Int { connections.liveHandlers }

    /// The calls the connection dispatched whose answers have not been submitted yet.
    /// Awaiting them, then running the event loop, delivers their answers. Call it on the
    /// channel's event loop.
    public func runningCalls() -> [Task<Void, Never>] {
        handler.value.connection?.streams.values.compactMap(\.task) ?? []
    }

    /// The graceful GOAWAY that server shutdown or max age sends. Call it on the channel's
    /// event loop.
    public func beginGracefulClose() {
        handler.value.connection?.beginGracefulClose()
    }
}

/// A weak reference that can live in a `NIOLoopBound`.
final class WeakConnection {
    weak var connection: HTTP2Connection?

    init(_ connection: HTTP2Connection) {
        self.connection = connection
    }
}
