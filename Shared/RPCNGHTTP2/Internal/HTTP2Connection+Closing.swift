import CNGHTTP2
import Logging
import Metrics
import NIOCore

/// How a connection ends: idle timeout, max age, and graceful shutdown, each with GOAWAY;
/// a write stall, without.
extension HTTP2Connection {
    /// Checks for idleness `delay` from now, unless a check is already pending.
    func armIdleTimer(after delay: Duration) {
        guard idleTimer == nil, let context else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
            idleTimer = nil
            guard let idleSince, let session else { return }
            let due = idleSince + TimeAmount(configuration.idleTimeout)
            let now = NIODeadline.now()
            if due <= now {
                // GOAWAY with the last stream processed; the session is then done and
                // `flushOutput` closes the connection after writing it.
                nghttp2_session_terminate_session(session, NGHTTP2_NO_ERROR.rawValue)
                flushOutput()
            } else {
                armIdleTimer(after: Duration.nanoseconds((due - now).nanoseconds))
            }
        }
    }

    /// Graceful GOAWAY, as RFC 9113 §6.8 advises: a first GOAWAY announcing the shutdown
    /// and a PING; when the PING comes back (or after a second), the final GOAWAY naming the
    /// last stream this server will answer. Open streams finish, then the connection closes;
    /// after ``NGHTTP2ServerConfiguration/gracefulCloseTimeout`` it closes regardless.
    func beginGracefulClose() {
        guard let session, let context, gracefulClose == .none else { return }
        gracefulClose = .noticeSent
        nghttp2_submit_shutdown_notice(session)
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
        let loop = context.eventLoop.assumeIsolated()
        finalGoawayTimer = loop.scheduleTask(in: .seconds(1)) { [self] in
            sendFinalGoaway()
            flushOutput()
        }
        graceTimer = loop.scheduleTask(in: TimeAmount(configuration.gracefulCloseTimeout)) { [self] in
            close()
        }
        flushOutput()
    }

    func sendFinalGoaway() {
        guard let session, gracefulClose == .noticeSent else { return }
        gracefulClose = .goawaySent
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
            NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    /// The socket stopped taking output: unless it becomes writable again within
    /// ``NGHTTP2ServerConfiguration/writeStallTimeout``, the client is not reading and the
    /// connection is closed, with whatever it still had to send. No GOAWAY: it would not be
    /// read either. Reads are held back meanwhile (``read(context:)``), so the client cannot
    /// queue more work while it waits.
    func armWriteStallTimer() {
        guard writeStallTimer == nil, let context else { return }
        writeStallTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.writeStallTimeout)) { [self] in
            writeStallTimer = nil
            guard let context = self.context, !context.channel.isWritable else { return }
            closeStalled(EngineMetrics.writeStallCloses, "closing connections whose client stopped reading")
        }
    }

    /// An answer is waiting to be sent: checks every
    /// ``NGHTTP2ServerConfiguration/writeStallTimeout`` that answer bytes still go out. A
    /// client that grants no flow-control window (a 0 or 1-byte window, never updated) keeps
    /// the socket writable, so the write-stall timer never starts, yet its answers would stay
    /// here as long as it stays connected: with no answer byte sent for a whole period while
    /// answers wait, the connection is closed. A slow client that takes any of its answers'
    /// bytes keeps it open.
    func armAnswerStallTimer() {
        guard answerStallTimer == nil, let context else { return }
        let sentWhenArmed = answerBytesSent
        answerStallTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.writeStallTimeout)) { [self] in
            answerStallTimer = nil
            guard self.context != nil, streams.values.contains(where: { $0.responseBody != nil }) else { return }
            guard answerBytesSent == sentWhenArmed else {
                armAnswerStallTimer()
                return
            }
            closeStalled(EngineMetrics.answerStallCloses, "closing connections whose client grants no window for their answers")
        }
    }

    /// Closes a stalled connection: counted, and a notice at most every 10 s.
    private func closeStalled(_ counter: Counter, _ notice: Logger.Message) {
        counter.increment()
        if let closed = connections.writeStalls.record() {
            logger.notice(notice, metadata: [
                "write_stall_timeout": "\(configuration.writeStallTimeout)", "closed": .stringConvertible(closed),
            ])
        }
        close()
    }
}
