import Logging
import Metrics
import NIOCore
import Synchronization

/// The connection cap (``NGHTTP2ServerConfiguration/maxConnections``): counts the
/// connections the server accepted and holds, and refuses one over the cap before anything
/// is allocated for it.
///
/// Refusing is closing at accept, not a GOAWAY: a GOAWAY needs a session (and, with TLS, a
/// handshake), the very cost the cap is there to avoid under a connection flood.
final class ConnectionAdmission: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)
    private let refusals = RateLimitedCount(every: .seconds(10))

    init(limit: Int) {
        self.limit = limit
    }

    /// Admits `channel` if the server holds fewer than `limit` connections; the slot is
    /// given back when the channel closes. A refused channel is left to the caller to close.
    func admit(_ channel: any Channel, logger: Logger) -> Bool {
        guard held.wrappingAdd(1, ordering: .relaxed).newValue <= limit else {
            held.wrappingSubtract(1, ordering: .relaxed)
            EngineMetrics.refusedConnections.increment()
            if let refused = refusals.record() {
                logger.notice("connection limit reached: refusing connections", metadata: [
                    "max_connections": .stringConvertible(limit), "refused": .stringConvertible(refused),
                ])
            }
            return false
        }
        channel.closeFuture.whenComplete { [self] _ in held.wrappingSubtract(1, ordering: .relaxed) }
        return true
    }
}

/// The error a refused connection's initializer fails with: SwiftNIO then closes it.
struct ConnectionLimitReached: Error {}

/// Counts events and says, at most once per interval, how many there were since it last
/// said: for log lines an attacker could otherwise trigger by the thousand.
final class RateLimitedCount: Sendable {
    private let interval: Duration
    private let state = Mutex<(lastReport: ContinuousClock.Instant?, unreported: Int)>((nil, 0))

    init(every interval: Duration) {
        self.interval = interval
    }

    /// Records one event; returns the count to report when it is time to report one.
    func record() -> Int? {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.unreported += 1
            if let last = state.lastReport, last.duration(to: now) < interval { return nil }
            state.lastReport = now
            defer { state.unreported = 0 }
            return state.unreported
        }
    }
}

/// The engine's own metrics (the calls' are the dispatcher's). Made on first use, so after
/// the process bootstrapped its metrics backend.
enum EngineMetrics {
    static let refusedConnections = Counter(label: "rpc_server_connections_refused_total", dimensions: [("reason", "max_connections")])
    static let writeStallCloses = Counter(label: "rpc_server_connections_closed_total", dimensions: [("reason", "write_stall")])
    static let answerStallCloses = Counter(label: "rpc_server_connections_closed_total", dimensions: [("reason", "answer_stall")])
}
