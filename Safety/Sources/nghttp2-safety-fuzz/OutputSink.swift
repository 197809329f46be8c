import NIOCore

/// Stands where the socket would: takes every write the connection makes and drops it, so
/// the harness never spends a hop reading output back.
final class OutputSink: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {}
}
