import NIOCore
import RPC

/// A connection as the pool holds it: the channel, its ``ClientSession`` (touched only on
/// the channel's event loop) and whether it still takes new streams.
final class ClientConnection: Sendable {
    let channel: any Channel
    let session: NIOLoopBound<ClientSession>
    let gate: StreamGate
    /// Completes when the server's SETTINGS arrived, or fails when the connection could not
    /// get that far (TLS handshake, ALPN, the server never answering).
    let ready: EventLoopFuture<Void>

    init(channel: any Channel, session: NIOLoopBound<ClientSession>, gate: StreamGate, ready: EventLoopFuture<Void>) {
        self.channel = channel
        self.session = session
        self.gate = gate
        self.ready = ready
    }

    /// Open and neither going away nor out of stream ids.
    var isUsable: Bool { gate.isOpen && channel.isActive }

    /// Runs one call on this connection: one hop to the event loop to start it, one back
    /// with its result — none when the calling task already runs on the connection's event
    /// loop (an ``RPC/EventLoopExecutor`` preference on that loop). A cancelled task resets
    /// its stream (RST_STREAM CANCEL).
    func exchange(_ request: ClientRequest) async throws -> ClientResponse {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: ClientResponse.self)
        let call = NIOLoopBoundBox.makeBoxSendingValue(ClientCall(request: request, promise: promise), eventLoop: loop)
        let session = self.session
        return try await withTaskCancellationHandler {
            if loop.inEventLoop {
                session.value.start(call.value)
            } else {
                loop.execute { session.value.start(call.value) }
            }
            return try await promise.futureResult.get()
        } onCancel: {
            loop.execute { session.value.abandon(call.value, with: CancellationError()) }
        }
    }

    func close() async {
        try? await channel.close()
    }
}
