import HTTPTypes
import NIOCore
import RPC

/// One call on a client connection, from the moment it reaches the event loop until its
/// promise is completed and nghttp2 closed its stream.
///
/// Touched only on the connection's event loop. The request body stays here until the
/// data provider has read it all, because nghttp2 reads it later, frame by frame, as the
/// server's flow-control window allows.
final class ClientCall {
    let request: ClientRequest
    let promise: EventLoopPromise<ClientResponse>
    /// 0 until the request is submitted; then the key of the connection's stream table.
    var streamID: Int32 = 0
    /// What the data provider still has to send.
    var requestBody: ByteBuffer
    /// The request HEADERS went out: from here on the server may be processing the call.
    var headersSent = false
    /// The whole request went to nghttp2, END_STREAM included.
    var requestSent = false
    var status: Int?
    var headers = HTTPFields()
    /// Response header list size so far, counted as SETTINGS_MAX_HEADER_LIST_SIZE counts it.
    var headerListSize = 0
    var body = ByteBuffer()
    /// DATA arrived: a HEADERS frame after it carries trailers, which the wire has none of.
    var receivedData = false
    /// The promise is completed; whatever nghttp2 still reports about the stream is ignored.
    var finished = false
    var deadlineTimer: Scheduled<Void>?

    init(request: ClientRequest, promise: EventLoopPromise<ClientResponse>) {
        self.request = request
        self.promise = promise
        self.requestBody = request.body
    }

    /// Completes the call once; later outcomes (a reset after the answer, a timer that
    /// fired late) are dropped.
    func finish(_ result: Result<ClientResponse, any Error>) {
        guard !finished else { return }
        finished = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        requestBody = ByteBuffer()
        promise.completeWith(result)
    }
}
