import NIOCore
import Synchronization

/// The connections a server holds, so shutdown can send each its graceful GOAWAY and wait
/// until they closed; and how many connection handlers are alive, so tests can prove that
/// a closed connection's handler (and its nghttp2 session) was freed.
final class ConnectionSet: Sendable {
    private let open = Mutex<[ObjectIdentifier: NIOLoopBound<HTTP2Connection>]>([:])
    private let alive = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)
    private let bufferedRequestBytes = Atomic<Int>(0)
    /// Connections closed for a write stall, for a rate-limited log line.
    let writeStalls = RateLimitedCount(every: .seconds(10))

    /// Records `connection`; a connection accepted while the server shuts down is told to
    /// close at once.
    func add(_ connection: HTTP2Connection, channel: any Channel) {
        let id = ObjectIdentifier(channel)
        open.withLock { $0[id] = NIOLoopBound(connection, eventLoop: channel.eventLoop) }
        channel.closeFuture.whenComplete { [self] _ in
            _ = open.withLock { $0.removeValue(forKey: id) }
        }
        if closing.load(ordering: .relaxed) { connection.beginGracefulClose() }
    }

    /// Sends every open connection its graceful GOAWAY; new ones get it when added.
    func beginGracefulClose() {
        closing.store(true, ordering: .relaxed)
        for connection in open.withLock({ Array($0.values) }) {
            connection.eventLoop.execute { connection.value.beginGracefulClose() }
        }
    }

    /// Closes every connection still open, whatever it is doing.
    func closeAll() {
        for connection in open.withLock({ Array($0.values) }) {
            connection.eventLoop.execute { connection.value.close() }
        }
    }

    var count: Int { open.withLock { $0.count } }

    /// Connection handlers not yet deinitialised.
    var liveHandlers: Int { alive.load(ordering: .relaxed) }

    /// Request body bytes all connections hold (buffered bodies and those of running calls).
    var bufferedBytes: Int { bufferedRequestBytes.load(ordering: .relaxed) }

    func bufferedRequestBytesChanged(by delta: Int) {
        if delta != 0 { bufferedRequestBytes.wrappingAdd(delta, ordering: .relaxed) }
    }

    func handlerCreated() { alive.add(1, ordering: .relaxed) }
    func handlerFreed() { alive.subtract(1, ordering: .relaxed) }

    /// Returns once every connection closed, or at `deadline`.
    func waitUntilAllClosed(deadline: ContinuousClock.Instant) async {
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
