import Dispatch
import Logging
import NIOCore
import NIOEmbedded
import RPC
@_spi(Fuzzing) import RPCNGHTTP2
import SafetyService

/// Runs one input through a fresh connection handler on a `NIOAsyncTestingChannel`: the
/// handler, its nghttp2 session and the real ``RPC/RPCDispatcher`` as a server runs them,
/// with the socket replaced by in-memory reads, a sink for writes, and a manual clock.
///
/// Besides AddressSanitizer's checks, each input must leave nothing behind: once the
/// channel closed and its calls returned, the handler (and its session) must be freed, or
/// the run stops with "connection handler leaked".
enum ConnectionFuzzer {
    static let logger = Logger(label: "tender.nghttp2-fuzz") { _ in SwiftLogNoOpLogHandler() }
    /// Small limits, so that inputs reach the paths past them quickly.
    static let configuration = NGHTTP2ServerConfiguration(
        maxConcurrentStreams: 8, maxHeaderListSize: 1024, maxRequestBodyBytes: 1024,
        idleTimeout: .seconds(5), maxAge: .seconds(30), gracefulCloseTimeout: .seconds(3))
    static let dispatcher = RPCDispatcher.safety(sleeping: false, maxRequestBodyBytes: 1024, logger: logger)

    /// libFuzzer calls this synchronously; the channel's API is async, so the input runs
    /// as a task and this thread (libFuzzer's, not one of the concurrency pool's) waits.
    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        let fuzzInput = FuzzInput(input)
        let done = DispatchSemaphore(value: 0)
        Task {
            await feed(fuzzInput)
            done.signal()
        }
        done.wait()
    }

    static func feed(_ input: FuzzInput) async {
        let channel = NIOAsyncTestingChannel()
        let loop = channel.testingEventLoop
        do {
            let (probe, sink) = try await loop.executeInContext {
                let sink = OutputSink()
                try channel.pipeline.syncOperations.addHandler(sink)
                let probe = try NGHTTP2Server.addConnectionHandler(
                    to: channel, dispatcher: dispatcher, configuration: configuration, logger: logger)
                return (probe, NIOLoopBound(sink, eventLoop: channel.eventLoop))
            }
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000))
            let chunks = input.chunks
            let halfway = chunks.count / 2
            var next = 0
            while next < chunks.count, channel.isActive {
                // Reads go in one hop until one dispatches calls or halfway's events are due:
                // hops to the testing loop, not nghttp2, are what an input costs.
                let start = next
                let (fed, calls) = try await loop.executeInContext {
                    var index = start
                    while index < chunks.count {
                        channel.pipeline.fireChannelRead(ByteBuffer(bytes: chunks[index]))
                        channel.pipeline.fireChannelReadComplete()
                        index += 1
                        let calls = !probe.runningCalls().isEmpty
                        if calls || index - 1 == halfway { return (index, calls) }
                    }
                    return (index, false)
                }
                if calls { await deliverAnswers(probe, on: loop) }
                if next <= halfway, halfway < fed {
                    if input.gracefulCloseHalfway { try await loop.executeInContext { probe.beginGracefulClose() } }
                    if input.unwritableHalfway { try await setWritable(false, channel) }
                    if input.writeErrorHalfway { try await loop.executeInContext { sink.value.failNextFlush = true } }
                    if input.advanceTimeHalfway { await loop.advanceTime(by: .milliseconds(1500)) }
                    if input.closeHalfway { try? await channel.close() }
                }
                next = fed
            }
            if input.unwritableHalfway, channel.isActive { try await setWritable(true, channel) }
            await deliverAnswers(probe, on: loop)
            if input.advanceTimeAtEnd { await loop.advanceTime(by: .seconds(20)) }
            try? await channel.close()
            await waitUntilFreed(probe, on: loop)
        } catch {
            // The channel closed under a read or a write: the handler decided to close.
        }
        _ = try? await channel.finish(acceptAlreadyClosed: true)
    }

    /// Runs the event loop until no call is left: a call's task runs on its connection's
    /// event loop (`EventLoopExecutor`), here the testing loop, so waiting for a task without
    /// running the loop would wait forever. Bounded: an answer dispatches nothing new, and
    /// ten seconds is a hang, which stops the run.
    static func deliverAnswers(_ probe: NGHTTP2ConnectionProbe, on loop: NIOAsyncTestingEventLoop) async {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            await loop.run()
            guard let running = try? await loop.executeInContext({ probe.runningCalls() }), !running.isEmpty else { return }
            await Task.yield()
        }
        preconditionFailure("calls still running after 10 s")
    }

    static func setWritable(_ writable: Bool, _ channel: NIOAsyncTestingChannel) async throws {
        channel.isWritable = writable
        try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelWritabilityChanged() }
    }

    /// A closed connection's calls were cancelled; each still holds the handler until it
    /// returns, which for `Echo` is at once. Ten seconds is a leak, not a slow call.
    static func waitUntilFreed(_ probe: NGHTTP2ConnectionProbe, on loop: NIOAsyncTestingEventLoop) async {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while probe.liveHandlers > 0, ContinuousClock.now < deadline {
            await loop.run()
            try? await Task.sleep(for: .milliseconds(1))
        }
        precondition(probe.liveHandlers == 0, "connection handler leaked")
    }
}
