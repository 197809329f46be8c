import CNGHTTP2

/// The per-connection budget of buffered request bytes
/// (``NGHTTP2ServerConfiguration/maxBufferedRequestBytesPerConnection``), kept with HTTP/2
/// flow control: automatic WINDOW_UPDATE is off, so a stream's window reopens only as this
/// connection consumes what arrived.
///
/// - The connection window gets its credit back at once; each stream's window (64 KiB, the
///   default SETTINGS_INITIAL_WINDOW_SIZE) is what bounds the bytes a client can send
///   unasked, so holding back stream credit is enough, and no stream ever waits on credit
///   another stream holds.
/// - Under the budget, a stream gets its credit back as its bytes arrive. Over it, the
///   credit is withheld until calls answer (or streams close) and release their bodies.
/// - While no call is running, nothing would release bytes: the oldest stream still
///   receiving its body then gets its credit regardless, so it completes, is dispatched,
///   and its answer releases bytes in turn. A client that keeps reading its answers
///   therefore always makes progress; one over the budget just makes it one call at a time.
extension HTTP2Connection {
    var bodyBudget: Int { configuration.maxBufferedRequestBytesPerConnection }

    /// Counts `count` more bytes of `id`'s body as held, then gives back their stream credit
    /// unless the connection is over its budget.
    func holdBody(_ count: Int, of stream: RequestStream, id: Int32) {
        stream.bufferedBytes += count
        bufferedRequestBytes += count
        connections.bufferedRequestBytesChanged(by: count)
        guard let session else { return }
        if bufferedRequestBytes <= bodyBudget || mayExceedBudget(id) {
            nghttp2_session_consume_stream(session, id, count)
        } else {
            withheldCredit[id, default: 0] += count
        }
    }

    /// The call of `stream` was dispatched: its body now lives in the call until it answers.
    /// The stream's request is complete (or over the cap), so withheld credit is moot.
    func callStarted(_ stream: RequestStream, id: Int32) {
        stream.running = true
        runningCalls += 1
        withheldCredit[id] = nil
    }

    /// Releases `stream`'s body bytes and, if its call was running, the call; then gives
    /// back what credit the connection can give. Safe to call more than once.
    func releaseBody(of stream: RequestStream) {
        if stream.running {
            stream.running = false
            runningCalls -= 1
        }
        if stream.bufferedBytes > 0 {
            bufferedRequestBytes -= stream.bufferedBytes
            connections.bufferedRequestBytesChanged(by: -stream.bufferedBytes)
            stream.bufferedBytes = 0
        }
        returnWithheldCredit()
    }

    /// Gives withheld credit back: to every stream while under the budget, else only to the
    /// stream that must progress (``mayExceedBudget(_:)``).
    func returnWithheldCredit() {
        guard let session, !withheldCredit.isEmpty else { return }
        let favoured = runningCalls == 0 ? oldestStreamReceivingBody() : nil
        for id in withheldCredit.keys.sorted() where bufferedRequestBytes <= bodyBudget || id == favoured {
            if let credit = withheldCredit.removeValue(forKey: id) {
                nghttp2_session_consume_stream(session, id, credit)
            }
        }
        scheduleFlush()
    }

    /// Whether stream `id` gets credit over the budget: it is the oldest stream still
    /// receiving its body, and no running call will release bytes.
    func mayExceedBudget(_ id: Int32) -> Bool {
        runningCalls == 0 && id == oldestStreamReceivingBody()
    }

    private func oldestStreamReceivingBody() -> Int32? {
        var oldest: Int32?
        for (id, stream) in streams where !stream.dispatched && id < (oldest ?? .max) { oldest = id }
        return oldest
    }
}
