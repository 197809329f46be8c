import CNGHTTP2
import Logging
import NIOCore

extension ClientSession {
    /// Stream flow-control window offered to the server (SETTINGS_INITIAL_WINDOW_SIZE), so a
    /// typical response arrives without waiting for WINDOW_UPDATE.
    static let streamWindow: UInt32 = 1 << 20
    /// The connection's receive window, shared by all of its streams.
    static let connectionWindow: Int32 = 16 << 20

    /// A client session with the callbacks of ``ClientSessionCallbacks`` and its SETTINGS
    /// queued behind the connection preface (which nghttp2 sends itself): no server push,
    /// larger windows, the response header cap. nghttp2 returns window credit as the
    /// callbacks consume DATA, which is at once: every byte is copied or dropped.
    func makeSession() throws -> OpaquePointer {
        var callbacks: OpaquePointer?
        try check(nghttp2_session_callbacks_new(&callbacks), "nghttp2_session_callbacks_new")
        defer { nghttp2_session_callbacks_del(callbacks) }
        ClientSessionCallbacks.install(in: callbacks)

        var session: OpaquePointer?
        try check(nghttp2_session_client_new(&session, callbacks, Unmanaged.passUnretained(self).toOpaque()), "nghttp2_session_client_new")
        guard let session else { throw NGHTTP2Error(code: Int32(NGHTTP2_ERR_NOMEM.rawValue), call: "nghttp2_session_client_new") }
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: Self.streamWindow),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(Self.maxHeaderListSize)),
        ]
        var result = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        if result == 0 {
            result = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Self.connectionWindow)
        }
        guard result == 0 else {
            nghttp2_session_del(session)
            throw NGHTTP2Error(code: result, call: "nghttp2_submit_settings")
        }
        return session
    }

    private func check(_ result: Int32, _ call: String) throws {
        guard result == 0 else { throw NGHTTP2Error(code: result, call: call) }
    }

    /// After `mem_recv` returned: the connection is ready once the server's SETTINGS came.
    /// Resets and new streams wait for ``flushOutput()`` (after the read batch), which
    /// submits them outside any nghttp2 call.
    func afterReceive() {
        guard receivedSettings, !isReady else { return }
        isReady = true
        readyTimer?.cancel()
        readyTimer = nil
        ready.succeed()
    }

    /// Writes what the session wants to send, as long as the channel takes it, in as few
    /// writes as possible, then one flush. First, and between rounds, it resets what
    /// `mem_recv` marked and opens streams for waiting calls as closed streams free their
    /// slots. Closes the connection when nothing more can happen on it.
    func flushOutput() {
        guard let session, let context else { return }
        _ = settle()
        var output: ByteBuffer?
        var wrote = false
        while context.channel.isWritable {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            if count < 0 {
                fail(NGHTTP2Error(code: Int32(count), call: "nghttp2_session_mem_send"))
                return
            }
            guard count > 0, let chunk else {
                if settle() { continue }
                break
            }
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
        let finished = nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
        if finished || (!opensStreams && streams.isEmpty) {
            logger.debug("HTTP/2 connection done, closing", metadata: ["target": .string(target.authority)])
            context.close(promise: nil)
        }
    }

    /// Flushes once after the calls that arrive in the same event-loop tick, not once per call.
    func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flushOutput()
        }
    }
}
