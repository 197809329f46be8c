import CNGHTTP2
import HTTPTypes
import Messages
import NIOCore
import RPC

/// Calls entering and leaving the connection: each gets a stream while the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS allows, waits in line otherwise, and ends at its answer,
/// its deadline, its task's cancellation, or the connection's end.
extension ClientSession {
    /// Takes a call from the transport (on the event loop). Its deadline timer starts now,
    /// so a call waiting for a stream also ends on time.
    func start(_ call: ClientCall) {
        guard !call.finished else { return }  // cancelled before it got here
        guard session != nil, opensStreams else {
            call.finish(.failure(UndeliveredRequest(error: RPCError(.unavailable, "connection to \(target.authority) takes no new streams"))))
            return
        }
        let remaining = ContinuousClock.now.duration(to: call.request.deadline)
        call.deadlineTimer = context?.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(remaining)) { [self] in
            abandon(call, with: RPCError(.deadlineExceeded, "deadline exceeded"))
        }
        if waiting.isEmpty, streams.count < streamLimit {
            submit(call)
        } else {
            waiting.append(call)
        }
        scheduleFlush()
    }

    /// Ends a call the caller gave up on (deadline, task cancelled) and resets its stream
    /// with CANCEL, so the server cancels its handler too. A waiting call is skipped when
    /// its turn comes.
    func abandon(_ call: ClientCall, with error: any Error) {
        guard !call.finished else { return }
        call.finish(.failure(error))
        guard call.streamID != 0, streams[call.streamID] != nil, let session else { return }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), call.streamID, NGHTTP2_CANCEL.rawValue)
        scheduleFlush()
    }

    /// SETTINGS_MAX_CONCURRENT_STREAMS as the server last set it (unlimited until then).
    var streamLimit: Int {
        guard let session else { return 0 }
        return Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS))
    }

    /// Before and between `mem_send` rounds, outside any nghttp2 callback: resets the
    /// streams the callbacks marked (those still open), then gives freed stream slots to
    /// waiting calls (or, once the connection takes no new streams, fails them as
    /// undelivered). Returns whether it queued anything to send.
    func settle() -> Bool {
        guard let session else { return false }
        var queued = false
        for id in resets where streams[id] != nil {
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_CANCEL.rawValue)
            queued = true
        }
        resets.removeAll()
        guard opensStreams else {
            failWaiting("connection to \(target.authority) takes no new streams")
            return queued
        }
        while !waiting.isEmpty, streams.count < streamLimit, opensStreams {
            let call = waiting.removeFirst()
            if !call.finished {
                submit(call)
                queued = true
            }
        }
        return queued
    }

    func failWaiting(_ reason: String) {
        while let call = waiting.popFirst() {
            call.finish(.failure(UndeliveredRequest(error: RPCError(.unavailable, reason))))
        }
    }

    /// Submits the request HEADERS (and the body's data provider). The header block is
    /// copied by nghttp2; the body stays in the call until the provider read it all.
    private func submit(_ call: ClientCall) {
        guard let session else { return }
        var fields: [(name: String, value: String)] = [
            (":method", "POST"), (":scheme", target.scheme), (":authority", target.authority), (":path", call.request.path),
        ]
        for field in call.request.headers { fields.append((field.name.canonicalName, field.value)) }
        fields.append(("content-length", String(call.requestBody.readableBytes)))
        let hasBody = call.requestBody.readableBytes > 0
        let id = HTTP2Connection.withHeaderBlock(fields) { nva, count in
            guard hasBody else { return nghttp2_submit_request(session, nil, nva, count, nil, nil) }
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil),
                read_callback: { _, streamID, buffer, length, flags, _, userData in
                    guard let buffer, let flags else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
                    return ClientSession.from(userData).readRequestBody(streamID, into: buffer, length: length, flags: flags)
                })
            return nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        guard id > 0 else {
            if id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE.rawValue { stopOpeningStreams() }
            call.finish(.failure(UndeliveredRequest(error: RPCError(
                .unavailable, "no stream to \(target.authority): \(String(cString: nghttp2_strerror(id)))"))))
            return
        }
        call.streamID = id
        call.requestSent = !hasBody
        streams[id] = call
    }

    /// No new stream on this connection (GOAWAY, stream ids spent): the pool connects anew
    /// for the next call, and this connection closes once its open streams are done.
    func stopOpeningStreams() {
        opensStreams = false
        gate.shut()
    }
}
