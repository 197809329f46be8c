import NIOCore

/// Stands where the socket would: takes every write the connection makes and drops it, so
/// the harness never spends a hop reading output back. When told to, it fails the next
/// flush the way a socket write error does: by closing the channel before returning.
final class OutputSink: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    var failNextFlush = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {
        if failNextFlush {
            failNextFlush = false
            context.close(promise: nil)
        }
    }
}
