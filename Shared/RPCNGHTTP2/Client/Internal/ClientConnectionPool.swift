import Messages
import RPC
import Synchronization

/// A fixed number of connection slots used round-robin; each slot connects on first use,
/// reconnects after its connection closed or went away, and backs off after failed
/// connects — as ``RPC/HTTP2ClientTransport``'s pool does.
///
/// A lock rather than an actor: taking a ready connection is the path of every call and
/// stays a few instructions with no suspension.
final class ClientConnectionPool: Sendable {
    private enum Slot {
        case empty(failures: Int, notBefore: ContinuousClock.Instant)
        case connecting(Task<ClientConnection, any Error>)
        case ready(ClientConnection)
    }

    private enum Step {
        case use(ClientConnection)
        case wait(Task<ClientConnection, any Error>)
        case refuse
    }

    private struct State {
        var slots: [Slot]
        var next = 0
    }

    private let state: Mutex<State>
    let maxBackoff: Duration

    init(size: Int, maxBackoff: Duration) {
        state = Mutex(State(slots: Array(repeating: .empty(failures: 0, notBefore: .now), count: max(1, size))))
        self.maxBackoff = maxBackoff
    }

    /// The next slot's connection, connecting it with `connect` when it has none. A slot
    /// that is backing off lends another slot's ready connection, or fails fast with
    /// `unavailable`.
    func connection(_ connect: @escaping @Sendable () async throws -> ClientConnection) async throws -> ClientConnection {
        let step = state.withLock { state -> Step in
            let index = state.next
            state.next = (index + 1) % state.slots.count
            switch state.slots[index] {
            case .ready(let connection) where connection.isUsable:
                return .use(connection)
            case .connecting(let task):
                return .wait(task)
            case .empty(_, let notBefore) where notBefore > .now:
                for case .ready(let connection) in state.slots where connection.isUsable { return .use(connection) }
                return .refuse
            case .empty(let failures, _):
                return .wait(startConnecting(slot: index, failures: failures, in: &state, connect))
            case .ready:
                return .wait(startConnecting(slot: index, failures: 0, in: &state, connect))
            }
        }
        switch step {
        case .use(let connection): return connection
        case .wait(let task): return try await task.value
        case .refuse: throw RPCError(.unavailable, "reconnecting (backing off)")
        }
    }

    /// Starts a connect whose outcome the task itself records in the slot: the connection,
    /// or the next backoff (exponential from 50 ms, capped, with jitter).
    private func startConnecting(
        slot index: Int, failures: Int, in state: inout State, _ connect: @escaping @Sendable () async throws -> ClientConnection
    ) -> Task<ClientConnection, any Error> {
        let task = Task {
            do {
                let connection = try await connect()
                self.state.withLock { state in
                    if case .connecting = state.slots[index] { state.slots[index] = .ready(connection) }
                }
                return connection
            } catch {
                let backoffMs = min(Int64(50) << min(failures, 16), maxBackoff.components.seconds * 1000)
                let delay = Duration.milliseconds(Int64.random(in: backoffMs / 2...max(backoffMs, 1)))
                self.state.withLock { state in
                    if case .connecting = state.slots[index] {
                        state.slots[index] = .empty(failures: failures + 1, notBefore: .now.advanced(by: delay))
                    }
                }
                throw error
            }
        }
        state.slots[index] = .connecting(task)
        return task
    }

    /// Closes every connection, including those still connecting; the slots start afresh.
    func closeAll() async {
        let slots = state.withLock { state in
            let slots = state.slots
            state.slots = Array(repeating: .empty(failures: 0, notBefore: .now), count: slots.count)
            return slots
        }
        for slot in slots {
            switch slot {
            case .ready(let connection): await connection.close()
            case .connecting(let task): if let connection = try? await task.value { await connection.close() }
            case .empty: break
            }
        }
    }
}
