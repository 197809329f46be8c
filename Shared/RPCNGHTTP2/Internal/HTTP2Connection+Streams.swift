import CNGHTTP2
import HTTPTypes
import NIOCore

/// What the session's callbacks do: collect each request by stream id, and read each
/// response out of the stream that owns it. All of it runs inside `mem_recv`/`mem_send`,
/// so nothing here submits a response; finished requests are only recorded.
extension HTTP2Connection {
    func beginRequest(_ id: Int32) {
        streams[id] = RequestStream()
        idleSince = nil
    }

    /// Returns false when the header list passed its cap: nghttp2 then resets the stream.
    func receiveHeader(_ id: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let stream = streams[id] else { return true }
        stream.headerListSize += name.count + value.count + 32
        guard stream.headerListSize <= configuration.maxHeaderListSize else { return false }
        // Trailers are accepted and ignored: the wire protocol has none.
        guard !stream.dispatched, let first = name.first else { return true }
        let nameText = String(decoding: name, as: UTF8.self)
        let valueText = String(decoding: value, as: UTF8.self)
        if first == UInt8(ascii: ":") {
            switch nameText {
            case ":method": stream.method = valueText
            case ":path": stream.path = valueText
            default: break
            }
        } else if let fieldName = HTTPField.Name(nameText) {
            stream.headers.append(HTTPField(name: fieldName, value: valueText))
        }
        return true
    }

    /// Takes a chunk of a request body: copies it into the stream, or drops it (past the
    /// cap, or after the call was dispatched). The connection window gets its credit back at
    /// once, the stream's as the body budget allows (`HTTP2Connection+FlowControl.swift`);
    /// dropped bytes are held by no one and credited at once.
    func receiveBodyChunk(_ id: Int32, _ chunk: UnsafeBufferPointer<UInt8>) {
        guard let session else { return }
        nghttp2_session_consume_connection(session, chunk.count)
        guard let stream = streams[id], !stream.bodyTooLarge, !stream.dispatched else {
            nghttp2_session_consume_stream(session, id, chunk.count)
            return
        }
        if stream.body.readableBytes + chunk.count > configuration.maxRequestBodyBytes {
            stream.bodyTooLarge = true
            stream.body = ByteBuffer()
            nghttp2_session_consume_stream(session, id, chunk.count + (withheldCredit.removeValue(forKey: id) ?? 0))
            releaseBody(of: stream)
            completed.append(id)
        } else {
            stream.body.writeBytes(chunk)
            holdBody(chunk.count, of: stream, id: id)
        }
    }

    func receiveFrame(type: UInt8, flags: UInt8, streamID: Int32) {
        // nghttp2 reports the first frame only after a valid preface, and the first frame
        // must be SETTINGS: the handshake is done.
        if let handshakeTimer {
            handshakeTimer.cancel()
            self.handshakeTimer = nil
        }
        switch UInt32(type) {
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            guard flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0, let stream = streams[streamID],
                  !stream.dispatched, !stream.bodyTooLarge, stream.headerListSize <= configuration.maxHeaderListSize
            else { return }
            completed.append(streamID)
        case NGHTTP2_PING.rawValue:
            if flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0, gracefulClose == .noticeSent { finalGoawayDue = true }
        default:
            break
        }
    }

    func streamClosed(_ id: Int32) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        // A caller that resets its stream gives up: the handler is cancelled rather than
        // left working on an answer nobody will read.
        stream.task?.cancel()
        withheldCredit[id] = nil
        releaseBody(of: stream)
        if streams.isEmpty {
            idleSince = .now()
            armIdleTimer(after: configuration.idleTimeout)
        }
    }

    /// The last frame of stream `id`'s answer went out. If the client is still sending its
    /// request (an early answer, such as `resource_exhausted` over the body cap), the stream
    /// is reset with NO_ERROR, as RFC 9113 §8.1 says a server may once its response is
    /// complete: the client stops uploading what nobody will read, and keeps the answer.
    func answerSent(_ id: Int32) {
        guard let session, nghttp2_session_get_stream_remote_close(session, id) == 0 else { return }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_NO_ERROR.rawValue)
    }

    /// The data provider: copies the next part of the stream's response body into
    /// nghttp2's frame buffer and sets EOF after the last byte.
    func readResponseBody(_ id: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = streams[id], var body = stream.responseBody else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let count = min(length, body.readableBytes)
        body.withUnsafeReadableBytes { raw in
            if count > 0 { UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: count) }
        }
        body.moveReaderIndex(forwardBy: count)
        answerBytesSent &+= count
        if body.readableBytes == 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            stream.responseBody = nil
        } else {
            stream.responseBody = body
        }
        return count
    }
}
