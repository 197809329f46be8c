import Dispatch
import Logging
import NIOCore
import NIOEmbedded
import RPC
@_spi(Fuzzing) import RPCNGHTTP2
import SafetyService

/// Runs one input through a fresh connection handler on a `NIOAsyncTestingChannel`: the
/// handler, its nghttp2 session and the real ``RPC/RPCDispatcher`` as a server runs them,
/// with the socket replaced by in-memory reads and writes and the clock by a manual one.
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
            let probe = try await loop.executeInContext {
                try NGHTTP2Server.addConnectionHandler(
                    to: channel, dispatcher: dispatcher, configuration: configuration, logger: logger)
            }
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000))
            let chunks = input.chunks
            for (index, chunk) in chunks.enumerated() {
                guard channel.isActive else { break }
                try await channel.writeInbound(ByteBuffer(bytes: chunk))
                await settleCalls(probe, on: loop)
                if !input.holdOutput { await drainOutput(of: channel) }
                if index == chunks.count / 2 {
                    if input.gracefulCloseHalfway { try await loop.executeInContext { probe.beginGracefulClose() } }
                    if input.advanceTimeHalfway { await loop.advanceTime(by: .milliseconds(1500)) }
                    if input.closeHalfway { try? await channel.close() }
                }
            }
            await settleCalls(probe, on: loop)
            if input.advanceTimeAtEnd { await loop.advanceTime(by: .seconds(20)) }
            await drainOutput(of: channel)
            try? await channel.close()
            await waitUntilFreed(probe, on: loop)
        } catch {
            // The channel closed under a read or a write: the handler decided to close.
        }
        _ = try? await channel.finish(acceptAlreadyClosed: true)
    }

    /// Waits for the calls the connection dispatched and delivers their answers, which
    /// arrive as event-loop tasks; bounded, as an answer may dispatch nothing new.
    static func settleCalls(_ probe: NGHTTP2ConnectionProbe, on loop: NIOAsyncTestingEventLoop) async {
        for _ in 0..<16 {
            await loop.run()
            guard let calls = try? await loop.executeInContext({ probe.runningCalls() }), !calls.isEmpty else { return }
            for call in calls { await call.value }
        }
    }

    static func drainOutput(of channel: NIOAsyncTestingChannel) async {
        while let _ = try? await channel.readOutbound(as: ByteBuffer.self) {}
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
