import HTTPTypes
import NIOCore

/// One HTTP/2 stream of a connection, from its request HEADERS until nghttp2 closes it.
///
/// Owned by the connection's `streams` table and touched only on its event loop. The
/// response body lives here until the stream closes, because nghttp2's data provider reads
/// it later, frame by frame, as flow control allows.
final class RequestStream {
    var method: String?
    var path: String?
    var headers = HTTPFields()
    /// Header list size so far, counted as SETTINGS_MAX_HEADER_LIST_SIZE counts it.
    var headerListSize = 0
    var body = ByteBuffer()
    /// The body grew past the cap: the rest is dropped and the call already dispatched.
    var bodyTooLarge = false
    /// The call went to the dispatcher (at END_STREAM, or when the body passed the cap).
    var dispatched = false
    /// Body bytes of this stream counted in the connection's buffered request bytes: the
    /// body while it arrives, then while its call runs.
    var bufferedBytes = 0
    /// The call was dispatched and has not answered yet.
    var running = false
    /// The dispatcher's task, cancelled when the stream closes before it answers.
    var task: Task<Void, Never>?
    /// What the data provider still has to send.
    var responseBody: ByteBuffer?

    init() {}
}
