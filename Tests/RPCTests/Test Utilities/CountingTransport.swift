import RPC
import Synchronization

/// Counts the attempts the call layer makes, whatever their outcome — a transport
/// failure is an attempt the server may never have seen.
final class CountingTransport: ClientTransport {
    let base: any ClientTransport
    private let count = Mutex(0)

    init(_ base: any ClientTransport) { self.base = base }

    var attempts: Int { count.withLock { $0 } }

    func send(_ request: ClientRequest) async throws -> ClientResponse {
        count.withLock { $0 += 1 }
        return try await base.send(request)
    }
}
