public import NIOCore
import Synchronization

/// The client connections a server currently holds, so a graceful shutdown can wait until
/// each has answered its accepted streams and closed after GOAWAY.
public final class ConnectionRegistry: Sendable {
    private let open = Mutex<Set<ObjectIdentifier>>([])

    public init() {}

    /// Records `connection` until it closes (cheap when it is already recorded).
    public func track(_ connection: any Channel) {
        let id = ObjectIdentifier(connection)
        let isNew = open.withLock { $0.insert(id).inserted }
        guard isNew else { return }
        connection.closeFuture.whenComplete { [self] _ in
            _ = open.withLock { $0.remove(id) }
        }
    }

    public var count: Int { open.withLock { $0.count } }

    /// Returns once every tracked connection closed, or at `deadline`.
    public func waitUntilAllClosed(deadline: ContinuousClock.Instant) async {
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
