import Foundation
import Logging
import Messages
import NIOCore
import NIOPosix
import RPC
@_spi(Fuzzing) import RPCNGHTTP2
import Synchronization
import Testing

/// A flush that fails closes the channel before `flush` returns: SwiftNIO's
/// `BaseSocketChannel.flushNow` calls `close0` on a write error (ECONNRESET, EPIPE), whose
/// callouts fire `channelInactive` synchronously, and the connection deletes its nghttp2
/// session there. The flush in `flushOutput` then returned into code that asked the deleted
/// session `want_read`/`want_write` — a use after free, silent without an instrumented
/// libnghttp2 (found reading the boundary for scripts/nghttp2-safety). Here a handler closes
/// the channel from inside a chosen flush, as a write error does: the first flush (the
/// server's SETTINGS) and the second (after the client's first frames).
@Suite("nghttp2 engine: a write error inside a flush")
struct WriteErrorTests {
    @Test(arguments: [1, 2])
    func aFlushThatClosesTheChannelEndsTheConnectionCleanly(failingFlush: Int) async throws {
        let logger = Logger(label: "tender.nghttp2-tests") { _ in SwiftLogNoOpLogHandler() }
        var router = RPCRouter()
        router.register(WriteErrorAPI.echo) { request, _ in request }
        let dispatcher = RPCDispatcher(router: router, authenticator: nil, idempotency: InMemoryIdempotencyStore(), logger: logger)
        let probes = Mutex<[NGHTTP2ConnectionProbe]>([])
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WriteErrorOnFlush(number: failingFlush))
                    let probe = try NGHTTP2Server.addConnectionHandler(to: channel, dispatcher: dispatcher, logger: logger)
                    probes.withLock { $0.append(probe) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)

        let headers = RawHTTP2.requestHeaders(path: WriteErrorAPI.echo.path)
        let bytes = RawHTTP2.preface + RawHTTP2.emptySettings
            + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: headers)
            + RawHTTP2.frame(type: 0, flags: 0x1, stream: 1, payload: Array(#"{"text":"x"}"#.utf8))
        // The server closes at once: the client may see end of file, a reset (our bytes
        // still unread there), or its own write refused on the closed channel.
        let serverClosed: Bool
        do {
            serverClosed = try await RawHTTP2.exchange(port: port, bytes, readFor: .seconds(20)).serverClosed
        } catch let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode) {
            serverClosed = true
        } catch ChannelError.ioOnClosedChannel {
            serverClosed = true
        }

        #expect(serverClosed)
        #expect(try await eventually { probes.withLock { $0.count == 1 && $0.allSatisfy { $0.liveHandlers == 0 } } })
        try await listener.close()
    }
}

/// Closes the channel from inside its `number`th flush, before passing it on, as a
/// socket write error does.
private final class WriteErrorOnFlush: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    let number: Int
    var flushes = 0

    init(number: Int) { self.number = number }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        if flushes == number {
            context.close(promise: nil)
            return
        }
        context.flush()
    }
}

private enum WriteErrorAPI {
    static let echo = Method<Text, Text>(service: "tender.test.v1.WriteErrorService", name: "Echo", kind: .idempotent, access: .everyone)
}

private struct Text: Codable, Sendable {
    var text: String
}
