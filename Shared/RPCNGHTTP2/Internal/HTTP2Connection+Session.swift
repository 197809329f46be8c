import CNGHTTP2
import Logging
import NIOCore

/// An nghttp2 call that failed while setting up a session.
struct NGHTTP2Error: Error, CustomStringConvertible {
    let code: Int32
    let call: String
    var description: String { "\(call): \(String(cString: nghttp2_strerror(code)))" }
}

extension HTTP2Connection {
    /// A server session with the callbacks of ``SessionCallbacks``, automatic WINDOW_UPDATE
    /// off (flow control follows what this handler consumed), and the connection's SETTINGS
    /// queued.
    func makeSession() throws -> OpaquePointer {
        var callbacks: OpaquePointer?
        try check(nghttp2_session_callbacks_new(&callbacks), "nghttp2_session_callbacks_new")
        defer { nghttp2_session_callbacks_del(callbacks) }
        SessionCallbacks.install(in: callbacks)

        var option: OpaquePointer?
        try check(nghttp2_option_new(&option), "nghttp2_option_new")
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_no_auto_window_update(option, 1)

        var session: OpaquePointer?
        try check(
            nghttp2_session_server_new2(&session, callbacks, Unmanaged.passUnretained(self).toOpaque(), option),
            "nghttp2_session_server_new2")
        guard let session else { throw NGHTTP2Error(code: Int32(NGHTTP2_ERR_NOMEM.rawValue), call: "nghttp2_session_server_new2") }
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: UInt32(clamping: configuration.maxConcurrentStreams)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(clamping: configuration.maxHeaderListSize)),
        ]
        let submitted = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        guard submitted == 0 else {
            nghttp2_session_del(session)
            throw NGHTTP2Error(code: submitted, call: "nghttp2_submit_settings")
        }
        return session
    }

    private func check(_ result: Int32, _ call: String) throws {
        guard result == 0 else { throw NGHTTP2Error(code: result, call: call) }
    }

    /// After `mem_recv` returned: dispatch the requests it completed, and send the final
    /// GOAWAY if the shutdown notice's PING came back.
    func afterReceive() {
        if !completed.isEmpty {
            let ready = completed
            completed.removeAll(keepingCapacity: true)
            for id in ready { dispatch(id) }
        }
        if finalGoawayDue {
            finalGoawayDue = false
            sendFinalGoaway()
        }
    }

    /// Writes what the session wants to send, as long as the channel takes it, in as few
    /// writes as possible, then one flush; closes the connection when the session is done.
    func flushOutput() {
        guard let session, let context else { return }
        var output: ByteBuffer?
        var wrote = false
        while context.channel.isWritable {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            if count < 0 {
                logger.debug("HTTP/2 session error", metadata: ["error": .string(String(cString: nghttp2_strerror(Int32(count))))])
                context.close(promise: nil)
                return
            }
            guard count > 0, let chunk else { break }
            // The chunk is nghttp2's own buffer, valid until the next call: copy it now.
            if output == nil { output = context.channel.allocator.buffer(capacity: max(count, 16 << 10)) }
            output!.writeBytes(UnsafeRawBufferPointer(start: chunk, count: count))
            if output!.readableBytes >= 64 << 10 {
                context.write(wrapOutboundOut(output!), promise: nil)
                output = context.channel.allocator.buffer(capacity: 0)
                wrote = true
            }
        }
        if let output, output.readableBytes > 0 {
            context.write(wrapOutboundOut(output), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        // A flush that fails (the peer reset the connection) closes the channel before it
        // returns, and `channelInactive` deletes the session: ask the session only if it is
        // still this connection's, never through the pointer taken above.
        guard let liveSession = self.session else { return }
        if nghttp2_session_want_read(liveSession) == 0, nghttp2_session_want_write(liveSession) == 0 {
            context.close(promise: nil)
        }
    }

    /// Flushes once after the answers that arrive in the same event-loop tick, not once per
    /// answer.
    func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flushOutput()
        }
    }
}
