import CNGHTTP2
import Logging
import Messages
import NIOCore
import NIOTLS
import RPC
import Synchronization

/// Whether a connection still takes new streams: read by the pool on any thread, cleared on
/// the event loop when the server sent GOAWAY, stream ids ran out or the connection closed.
final class StreamGate: Sendable {
    private let open = Atomic<Bool>(true)

    var isOpen: Bool { open.load(ordering: .relaxed) }

    func shut() { open.store(false, ordering: .relaxed) }
}

/// One connection to a server: calls become streams of one nghttp2 client session, the
/// bytes SwiftNIO reads go into it, and what it wants to send goes out in one write per
/// read batch (or per event-loop tick of new calls).
///
/// Everything here runs on the channel's event loop. The session calls back into this
/// object through `user_data` (an unretained pointer): the session is deleted in
/// `channelInactive`/`handlerRemoved`/`deinit`, and callbacks only run inside the
/// nghttp2 calls this object makes, so no callback can reach a freed handler.
///
/// The connection counts as ready once the server's SETTINGS arrived (after the TLS
/// handshake, with ALPN `h2`, for `https`): from then on its SETTINGS_MAX_CONCURRENT_STREAMS
/// is known and calls beyond it wait here for a stream to close.
final class ClientSession: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Response header list cap (name + value + 32 per field): a larger list resets the
    /// stream, and the call fails with `resource_exhausted`.
    static let maxHeaderListSize = 64 << 10
    /// How long a new connection may take to become ready (TLS handshake, server SETTINGS).
    static let readyTimeout = TimeAmount.seconds(5)

    let target: ClientTarget
    let gate: StreamGate
    let ready: EventLoopPromise<Void>
    let logger: Logger

    var session: OpaquePointer?
    var context: ChannelHandlerContext?
    /// Calls with an open stream, by stream id, until nghttp2 closes the stream.
    var streams: [Int32: ClientCall] = [:]
    /// Calls beyond the server's stream limit, in arrival order.
    var waiting = CircularBuffer<ClientCall>()
    /// Streams to reset once `mem_recv` returned: their response passed the body cap, or
    /// ended while the request body was still going out.
    var resets: [Int32] = []
    /// False after GOAWAY or when stream ids ran out: no new stream on this connection.
    var opensStreams = true
    /// The server's first SETTINGS arrived: its stream limit is known.
    var receivedSettings = false
    /// `ready` is completed (either way).
    var isReady = false
    var readyTimer: Scheduled<Void>?
    /// Why the connection failed, for the callers' error messages.
    var failure: (any Error)?
    /// A `read` held back while the channel was not writable.
    var readPending = false
    var flushScheduled = false

    init(target: ClientTarget, gate: StreamGate, ready: EventLoopPromise<Void>, logger: Logger) {
        self.target = target
        self.gate = gate
        self.ready = ready
        self.logger = logger
    }

    deinit {
        if let session { nghttp2_session_del(session) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    /// Creates the session and queues the connection preface with SETTINGS; a server that
    /// has not answered with its own SETTINGS within ``readyTimeout`` is given up on.
    private func start(context: ChannelHandlerContext) {
        guard session == nil, opensStreams else { return }
        do {
            session = try makeSession()
        } catch {
            fail(error)
            return
        }
        readyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.readyTimeout) { [self] in
            guard !isReady else { return }
            fail(RPCError(.unavailable, "no HTTP/2 SETTINGS from \(target.authority) within \(Self.readyTimeout)"))
        }
        flushOutput()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard let session else { return }
        let result = bytes.withUnsafeReadableBytes { raw in
            nghttp2_session_mem_recv(session, raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
        }
        if result < 0 {
            // A protocol error: nghttp2 queued a GOAWAY where the protocol wants one.
            flushOutput()
            fail(NGHTTP2Error(code: Int32(result), call: "nghttp2_session_mem_recv"))
            return
        }
        afterReceive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushOutput()
        context.fireChannelReadComplete()
    }

    /// Holds reads back while the socket cannot take more, so responses wait in the kernel
    /// rather than requests piling up in memory here.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            flushOutput()
            if readPending {
                readPending = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Over TLS the server must have chosen `h2`; anything else would read our preface as
    /// HTTP/1.1 and never send SETTINGS.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event, negotiated != "h2" {
            fail(RPCError(.unavailable, "\(target.authority) did not negotiate h2 with ALPN (got \(negotiated ?? "none"))"))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
    }

    /// Records why the connection ends and closes it; `channelInactive` fails the calls.
    func fail(_ error: any Error) {
        logger.debug("HTTP/2 connection failed", metadata: ["target": .string(target.authority), "error": "\(error)"])
        if failure == nil { failure = error }
        if let context {
            context.close(promise: nil)
        } else {
            tearDown()
        }
    }

    /// Deletes the session and fails every call still here: a call whose HEADERS never went
    /// out as undelivered (safe to send elsewhere), one the server may have seen as
    /// `unavailable` (only the call layer knows whether repeating it is safe).
    private func tearDown() {
        opensStreams = false
        gate.shut()
        readyTimer?.cancel()
        readyTimer = nil
        let reason = failure.map { "\($0)" } ?? "closed"
        if !isReady {
            isReady = true
            ready.fail(failure ?? RPCError(.unavailable, "connection to \(target.authority) closed before it was ready"))
        }
        let open = streams.values
        streams.removeAll()
        for call in open {
            call.finish(.failure(call.headersSent
                ? RPCError(.unavailable, "connection to \(target.authority) broke: \(reason)")
                : UndeliveredRequest(error: RPCError(.unavailable, "connection to \(target.authority) closed: \(reason)"))))
        }
        failWaiting("connection to \(target.authority) closed: \(reason)")
        resets.removeAll()
        if let session {
            self.session = nil
            nghttp2_session_del(session)
        }
    }

    /// The connection behind a session's `user_data`.
    static func from(_ userData: UnsafeMutableRawPointer?) -> ClientSession {
        Unmanaged<ClientSession>.fromOpaque(userData!).takeUnretainedValue()
    }
}
