import CNGHTTP2
import Logging
import NIOCore
import RPC

/// One client connection: the bytes SwiftNIO reads go into one nghttp2 server session, the
/// calls it completes go to the ``RPC/RPCDispatcher``, and what the session wants to send
/// goes out in one write per read batch.
///
/// Everything here runs on the channel's event loop. The session calls back into this
/// object through `user_data` (an unretained pointer): the session is deleted in
/// `channelInactive`/`handlerRemoved`/`deinit`, and callbacks only run inside the
/// nghttp2 calls this object makes, so no callback can reach a freed handler.
final class HTTP2Connection: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum GracefulClose {
        case none
        /// GOAWAY(2^31-1) and a PING sent; the final GOAWAY follows the PING's ACK.
        case noticeSent
        /// The final GOAWAY is queued: no new stream, close when the open ones are done.
        case goawaySent
    }

    let dispatcher: RPCDispatcher
    let configuration: NGHTTP2ServerConfiguration
    /// Mutual TLS: the client certificate names the caller (read once, at the first call).
    let readsPeerCertificate: Bool
    var peer: PeerIdentity?
    let connections: ConnectionSet
    let logger: Logger

    var session: OpaquePointer?
    var context: ChannelHandlerContext?
    /// Runs the connection's calls on its event loop; set when the handler is added.
    var executor: EventLoopExecutor?
    var streams: [Int32: RequestStream] = [:]
    /// Streams whose request completed during the current `mem_recv`; dispatched after it
    /// returns, never from inside it.
    var completed: [Int32] = []
    /// Request body bytes held by this connection's streams and running calls
    /// (``NGHTTP2ServerConfiguration/maxBufferedRequestBytesPerConnection``).
    var bufferedRequestBytes = 0
    /// Calls dispatched and not yet answered: each will release its body when it answers.
    var runningCalls = 0
    /// Stream-level flow-control credit held back while over the budget, by stream.
    var withheldCredit: [Int32: Int] = [:]
    var gracefulClose = GracefulClose.none
    /// The PING ACK ending the shutdown notice arrived during `mem_recv`.
    var finalGoawayDue = false
    /// A `read` held back while the channel was not writable.
    var readPending = false
    var flushScheduled = false
    var idleSince: NIODeadline? = .now()
    var idleTimer: Scheduled<Void>?
    /// Closes the connection unless the client's preface and SETTINGS arrive in time.
    var handshakeTimer: Scheduled<Void>?
    var ageTimer: Scheduled<Void>?
    var graceTimer: Scheduled<Void>?
    var finalGoawayTimer: Scheduled<Void>?
    /// Closes the connection if the socket stays unwritable for the write-stall timeout.
    var writeStallTimer: Scheduled<Void>?
    /// While answers wait to be sent: closes the connection if none of their bytes went out
    /// for the write-stall timeout (the client grants no flow-control window).
    var answerStallTimer: Scheduled<Void>?
    /// Answer body bytes handed to nghttp2 so far (the answer-stall timer's measure of progress).
    var answerBytesSent = 0

    init(dispatcher: RPCDispatcher, configuration: NGHTTP2ServerConfiguration, readsPeerCertificate: Bool = false, connections: ConnectionSet, logger: Logger) {
        self.dispatcher = dispatcher
        self.configuration = configuration
        self.readsPeerCertificate = readsPeerCertificate
        self.connections = connections
        self.logger = logger
        connections.handlerCreated()
    }

    deinit {
        if let session { nghttp2_session_del(session) }
        connections.handlerFreed()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        executor = EventLoopExecutor(context.eventLoop)
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard session == nil else { return }
        do {
            session = try makeSession()
        } catch {
            logger.error("cannot create an nghttp2 session", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        connections.add(self, channel: context.channel)
        armIdleTimer(after: configuration.idleTimeout)
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.handshakeTimeout)) { [self] in
            handshakeTimer = nil
            logger.debug("no HTTP/2 preface in time: closing the connection")
            close()
        }
        if let maxAge = configuration.maxAge {
            ageTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(maxAge)) { [self] in
                beginGracefulClose()
            }
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
            logger.debug("HTTP/2 session error", metadata: ["error": .string(String(cString: nghttp2_strerror(Int32(result))))])
            flushOutput()
            context.close(promise: nil)
            return
        }
        afterReceive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushOutput()
        context.fireChannelReadComplete()
    }

    /// Holds reads back while the socket cannot take more: the peer's requests then wait in
    /// its send buffer and TCP pushes back, instead of answers piling up in memory here.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeStallTimer?.cancel()
            writeStallTimer = nil
            flushOutput()
            if readPending {
                readPending = false
                context.read()
            }
        } else {
            armWriteStallTimer()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Deletes the session, cancels every call still running and every timer. The calls'
    /// tasks hold this handler until they return; their answers then find no session.
    private func tearDown() {
        for stream in streams.values { stream.task?.cancel() }
        streams.removeAll()
        completed.removeAll()
        connections.bufferedRequestBytesChanged(by: -bufferedRequestBytes)
        bufferedRequestBytes = 0
        runningCalls = 0
        withheldCredit.removeAll()
        writeStallTimer?.cancel()
        writeStallTimer = nil
        answerStallTimer?.cancel()
        answerStallTimer = nil
        idleTimer?.cancel()
        handshakeTimer?.cancel()
        handshakeTimer = nil
        ageTimer?.cancel()
        graceTimer?.cancel()
        finalGoawayTimer?.cancel()
        idleTimer = nil
        ageTimer = nil
        graceTimer = nil
        finalGoawayTimer = nil
        if let session {
            self.session = nil
            nghttp2_session_del(session)
        }
    }

    func close() {
        context?.close(promise: nil)
    }
}
