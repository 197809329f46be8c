import NIOCore
import NIOPosix
import Synchronization

/// A hand-made HTTP/2 server that refuses every stream before processing it, the two ways
/// RFC 9113 allows: GOAWAY naming a lower last stream id (§6.8), or RST_STREAM with
/// REFUSED_STREAM (§8.7). It sends its SETTINGS, acknowledges the client's, and counts the
/// request HEADERS it refused.
final class RefusingServer: Sendable {
    enum Refusal: Sendable, CaseIterable {
        case goaway, refusedStream
    }

    let channel: any Channel
    private let refusals: Refusals

    var port: Int { channel.localAddress?.port ?? 0 }
    var refused: Int { refusals.count.load(ordering: .relaxed) }

    static func start(_ refusal: Refusal) async throws -> RefusingServer {
        let refusals = Refusals()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(refusal: refusal, refusals: refusals))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RefusingServer(channel: channel, refusals: refusals)
    }

    private init(channel: any Channel, refusals: Refusals) {
        self.channel = channel
        self.refusals = refusals
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Refusals: Sendable {
        let count = Atomic<Int>(0)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let refusal: Refusal
        let refusals: Refusals
        var received: [UInt8] = []
        var framesSeen = 0

        init(refusal: Refusal, refusals: Refusals) {
            self.refusal = refusal
            self.refusals = refusals
        }

        func channelActive(context: ChannelHandlerContext) {
            send(RawHTTP2.emptySettings, context: context)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(buffer: unwrapInboundIn(data))
            guard received.count > RawHTTP2.preface.count else { return }
            let frames = RawHTTP2.frames(in: Array(received[RawHTTP2.preface.count...]))
            for frame in frames.dropFirst(framesSeen) {
                switch frame.type {
                case 4 where frame.flags & 0x1 == 0:
                    send(RawHTTP2.frame(type: 4, flags: 0x1, stream: 0, payload: []), context: context)
                case 1:
                    refusals.count.add(1, ordering: .relaxed)
                    switch refusal {
                    case .goaway:
                        // Last stream id 0: no stream of this connection was processed.
                        send(RawHTTP2.frame(type: 7, flags: 0, stream: 0, payload: [0, 0, 0, 0, 0, 0, 0, 0]), context: context)
                    case .refusedStream:
                        send(RawHTTP2.frame(type: 3, flags: 0, stream: frame.stream, payload: [0, 0, 0, 0x7]), context: context)
                    }
                default:
                    break
                }
            }
            framesSeen = frames.count
        }

        private func send(_ bytes: [UInt8], context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
    }
}
