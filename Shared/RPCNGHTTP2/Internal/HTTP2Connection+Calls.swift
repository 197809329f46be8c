import CNGHTTP2
import HTTPTypes
import Logging
import Messages
import NIOCore
import NIOSSL
import RPC

extension HTTP2Connection {
    /// Hands a complete request (or one whose body passed the cap) to the dispatcher. The
    /// call runs as a task; its answer comes back to this event loop and is submitted there.
    func dispatch(_ id: Int32) {
        guard let stream = streams[id], !stream.dispatched, let eventLoop = context?.eventLoop else { return }
        stream.dispatched = true
        callStarted(stream, id: id)
        // nghttp2 has checked that `:method` is an HTTP token; GET is only the fallback the
        // dispatcher answers with 405 on a known path.
        let method = stream.method.flatMap { HTTPRequest.Method($0) } ?? .get
        let path = stream.path ?? ""
        let headers = stream.headers
        let body = stream.body
        let tooLarge = stream.bodyTooLarge
        let cap = configuration.maxRequestBodyBytes
        stream.body = ByteBuffer()
        let dispatcher = self.dispatcher
        let peer = peerIdentity()
        let connection = NIOLoopBound(self, eventLoop: eventLoop)
        let executor = self.executor
        // The call runs on this connection's event loop (EventLoopExecutor): no thread switch
        // to the global pool and back, which on a busy machine cost more than the call.
        stream.task = Task(executorPreference: executor) {
            let response = await dispatcher.handle(method: method, path: path, headers: headers, peer: peer, executor: executor) { limit in
                guard !tooLarge, body.readableBytes <= limit else {
                    throw RPCError(.resourceExhausted, "request body exceeds \(min(limit, cap)) bytes")
                }
                return body
            }
            if eventLoop.inEventLoop {
                connection.value.respond(id, with: response)
            } else {
                eventLoop.execute { connection.value.respond(id, with: response) }
            }
        }
    }

    /// The client certificate's identity under mutual TLS. Requests arrive only after the
    /// handshake, so the TLS handler has the verified certificate by the first call.
    private func peerIdentity() -> PeerIdentity? {
        guard readsPeerCertificate else { return nil }
        if let peer { return peer }
        guard let certificate = try? context?.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
        peer = PeerIdentity(certificate: certificate)
        return peer
    }

    /// Submits the answer to stream `id`, if the stream is still open. The header block is
    /// copied by nghttp2; the body stays in the stream until its data provider read it all.
    func respond(_ id: Int32, with response: RPCResponse) {
        guard let session, let stream = streams[id] else { return }
        stream.task = nil
        // The call is done with its body: the budget gets it back, and maybe credit with it.
        releaseBody(of: stream)
        var fields: [(name: String, value: String)] = [(":status", String(response.status.code))]
        for field in response.headers { fields.append((field.name.canonicalName, field.value)) }
        fields.append(("content-length", String(response.body.readableBytes)))
        let hasBody = response.body.readableBytes > 0
        if hasBody {
            stream.responseBody = response.body
            armAnswerStallTimer()
        }
        let result = Self.withHeaderBlock(fields) { nva, count in
            guard hasBody else { return nghttp2_submit_response(session, id, nva, count, nil) }
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil),
                read_callback: { _, streamID, buffer, length, flags, _, userData in
                    HTTP2Connection.from(userData).readResponseBody(streamID, into: buffer!, length: length, flags: flags!)
                })
            return nghttp2_submit_response(session, id, nva, count, &provider)
        }
        if result != 0 {
            logger.error("nghttp2_submit_response failed", metadata: ["error": .string(String(cString: nghttp2_strerror(result)))])
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_INTERNAL_ERROR.rawValue)
        }
        scheduleFlush()
    }

    /// Lays `fields` out as an `nghttp2_nv` array over one temporary byte buffer.
    static func withHeaderBlock<T>(_ fields: [(name: String, value: String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> T) -> T {
        let total = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { bytes in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: fields.count) { nva in
                var offset = 0
                for (index, field) in fields.enumerated() {
                    let name = copy(field.name, into: bytes, at: &offset)
                    let value = copy(field.value, into: bytes, at: &offset)
                    nva.initializeElement(at: index, to: nghttp2_nv(
                        name: name.baseAddress, value: value.baseAddress, namelen: name.count, valuelen: value.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
                }
                return body(UnsafePointer(nva.baseAddress!), fields.count)
            }
        }
    }

    private static func copy(_ text: String, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: inout Int) -> UnsafeMutableBufferPointer<UInt8> {
        let start = offset
        var text = text
        text.withUTF8 { utf8 in
            guard let source = utf8.baseAddress, !utf8.isEmpty else { return }
            (bytes.baseAddress! + offset).update(from: source, count: utf8.count)
            offset += utf8.count
        }
        return UnsafeMutableBufferPointer(rebasing: bytes[start..<offset])
    }

    /// The connection behind a session's `user_data`.
    static func from(_ userData: UnsafeMutableRawPointer?) -> HTTP2Connection {
        Unmanaged<HTTP2Connection>.fromOpaque(userData!).takeUnretainedValue()
    }
}
