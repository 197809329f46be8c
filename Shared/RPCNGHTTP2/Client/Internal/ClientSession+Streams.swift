import CNGHTTP2
import Logging
import HTTPTypes
import Messages
import NIOCore
import RPC

/// What the session's callbacks do: collect each response by stream id, feed each request
/// body to nghttp2, and settle calls as their streams end. All of it runs inside
/// `mem_recv`/`mem_send`, so nothing here submits a frame; resets are only recorded.
extension ClientSession {
    /// Returns false when the header list passed its cap: nghttp2 then resets the stream.
    func receiveHeader(_ id: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let call = streams[id], !call.finished else { return true }
        call.headerListSize += name.count + value.count + 32
        guard call.headerListSize <= Self.maxHeaderListSize else {
            call.finish(.failure(RPCError(.resourceExhausted, "response header list exceeds \(Self.maxHeaderListSize) bytes")))
            return false
        }
        // Trailers are accepted and ignored: the wire protocol has none.
        guard !call.receivedData, let first = name.first else { return true }
        if first == UInt8(ascii: ":") {
            if name.elementsEqual(":status".utf8) {
                // A final response after an informational (1xx) one replaces its fields.
                call.status = Int(String(decoding: value, as: UTF8.self))
                call.headers = HTTPFields()
            }
        } else if let fieldName = HTTPField.Name(String(decoding: name, as: UTF8.self)) {
            call.headers.append(HTTPField(name: fieldName, value: String(decoding: value, as: UTF8.self)))
        }
        return true
    }

    /// Copies a chunk of a response body into its call; past the cap the call fails with
    /// `resource_exhausted` and the stream is reset after `mem_recv` returns.
    func receiveBodyChunk(_ id: Int32, _ chunk: UnsafeBufferPointer<UInt8>) {
        guard let call = streams[id], !call.finished else { return }
        call.receivedData = true
        guard call.body.readableBytes + chunk.count <= target.maxResponseBodyBytes else {
            call.finish(.failure(RPCError(.resourceExhausted, "response body exceeds \(target.maxResponseBodyBytes) bytes")))
            resets.append(id)
            return
        }
        call.body.writeBytes(chunk)
    }

    /// The response is complete at END_STREAM. A server may answer before it read the whole
    /// request (a body over its cap): the rest of the upload is then cancelled
    /// (RST_STREAM CANCEL, after `mem_recv`), as NIOHTTP2's client does, rather than spent
    /// on a stream the server is done with.
    func receiveFrame(type: UInt8, flags: UInt8, streamID: Int32) {
        switch UInt32(type) {
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            guard flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0, let call = streams[streamID], !call.finished else { return }
            if !call.requestSent { resets.append(streamID) }
            guard let status = call.status, status >= 200 else {
                call.finish(.failure(RPCError(.unavailable, "the server closed the stream without a response")))
                return
            }
            call.finish(.success(ClientResponse(status: status, headers: call.headers, body: call.body)))
        case NGHTTP2_SETTINGS.rawValue:
            if flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 { receivedSettings = true }
        default:
            break
        }
    }

    /// GOAWAY: no new stream here. Streams above `lastStreamID` were never processed
    /// (RFC 9113 §6.8) and fail as undelivered; those below may still be answered.
    func receiveGoaway(lastStreamID: Int32) {
        logger.debug("GOAWAY received", metadata: [
            "target": .string(target.authority), "last_stream_id": .stringConvertible(lastStreamID), "open_streams": .stringConvertible(streams.count),
        ])
        stopOpeningStreams()
        for (id, call) in streams where id > lastStreamID {
            call.finish(.failure(UndeliveredRequest(error: RPCError(.unavailable, "\(target.authority) is going away (GOAWAY)"))))
        }
    }

    func sentHeaders(_ id: Int32) {
        streams[id]?.headersSent = true
    }

    /// nghttp2 could not open the stream (GOAWAY arrived first, stream ids ran out).
    func headersNotSent(_ id: Int32) {
        guard let call = streams.removeValue(forKey: id) else { return }
        call.finish(.failure(UndeliveredRequest(error: RPCError(.unavailable, "no stream to \(target.authority)"))))
    }

    /// A stream that ends before its response completed: REFUSED_STREAM (or a request that
    /// never went out) is undelivered; any other reset may have reached the handler.
    func streamClosed(_ id: Int32, errorCode: UInt32) {
        guard let call = streams.removeValue(forKey: id), !call.finished else { return }
        if errorCode == NGHTTP2_REFUSED_STREAM.rawValue || !call.headersSent {
            call.finish(.failure(UndeliveredRequest(error: RPCError(.unavailable, "\(target.authority) refused the stream"))))
        } else {
            let reason = String(cString: nghttp2_http2_strerror(errorCode))
            call.finish(.failure(RPCError(.unavailable, "stream reset by \(target.authority) (\(reason))")))
        }
    }

    /// The data provider: copies the next part of the request body into nghttp2's frame
    /// buffer and sets EOF after the last byte. A call that ended before its body was sent
    /// sends no more of it — an early END_STREAM would break the request's content-length
    /// (the server's PROTOCOL_ERROR) — and waits for the reset already on its way.
    func readRequestBody(_ id: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let call = streams[id] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        guard !call.finished else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
        let count = min(length, call.requestBody.readableBytes)
        call.requestBody.withUnsafeReadableBytes { raw in
            if count > 0, let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: count) }
        }
        call.requestBody.moveReaderIndex(forwardBy: count)
        if call.requestBody.readableBytes == 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            call.requestBody = ByteBuffer()
            call.requestSent = true
        }
        return count
    }
}
