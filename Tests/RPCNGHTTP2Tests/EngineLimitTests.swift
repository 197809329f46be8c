import Foundation
import Messages
import NIOCore
import RPC
import RPCNGHTTP2
import Synchronization
import Testing
import TestServiceKit

/// The limits that keep one client, or many, from growing the server without bound: the
/// connection cap, the per-connection budget of buffered request bytes, the write-stall
/// timeout, and the reset that stops an upload the server already answered.
@Suite("nghttp2 engine: connection and memory limits")
struct EngineLimitTests {
    @Test func aConnectionOverTheCapIsClosedAtAcceptAndTheOthersKeepWorking() async throws {
        try await withEngineServer(engine: .init(maxConnections: 2)) { (server: EngineServer) async throws in
            _ = try await server.stats()
            let second = try server.newTransport()
            let secondClient = server.client(on: second)
            _ = try await secondClient.call(TestAPI.stats, StatsRequest())
            #expect(server.server.openConnections == 2)

            // The third gets not a byte of HTTP/2, not even SETTINGS: closed at accept.
            let (received, closed) = try await Self.connectAndListen(port: server.port)
            #expect(closed, "a connection over the cap was kept")
            #expect(received.isEmpty, "a refused connection got \(received.count) bytes")
            #expect(server.server.liveConnectionHandlers == 2, "a refused connection got a handler")

            // The two admitted ones still answer.
            _ = try await server.stats()
            _ = try await secondClient.call(TestAPI.stats, StatsRequest())

            // A closed connection gives its slot back.
            await second.close()
            #expect(try await eventually { server.server.openConnections == 1 })
            #expect(try await eventually {
                let (received, _) = try await Self.connectAndListen(port: server.port)
                return RawHTTP2.frames(in: received).contains { $0.type == 4 }
            }, "no connection admitted after one closed")
        }
    }

    /// Six uploads of 600 KiB to Sleep on one connection with a 256 KiB budget: the budget
    /// admits one body at a time, so the calls run one after another instead of all
    /// together, the bytes held stay near the budget, and every call completes — the
    /// credit comes back as each call answers, and no stream waits forever.
    @Test func uploadsPastTheBudgetWaitForCreditAndAllComplete() async throws {
        let budget = 256 << 10
        let bodySize = 600 << 10
        let calls = 6
        try await withEngineServer(engine: .init(maxBufferedRequestBytesPerConnection: budget)) { (server: EngineServer) async throws in
            let uploads = try server.newTransport()
            let body = #"{"milliseconds":700}"# + String(repeating: " ", count: bodySize - 20)
            let peakRunning = Atomic<Int>(0)
            let peakBuffered = Atomic<Int>(0)
            let watching = Task {
                while !Task.isCancelled {
                    let stats = try await server.stats()
                    peakRunning.max(stats.sleepsStarted - stats.sleepsFinished - stats.sleepsCancelled, ordering: .relaxed)
                    peakBuffered.max(server.server.bufferedRequestBytes, ordering: .relaxed)
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<calls {
                    group.addTask { try await uploads.raw(TestAPI.sleep.path, body: body).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            watching.cancel()
            _ = await watching.result
            await uploads.close()

            #expect(statuses == Array(repeating: 200, count: calls))
            #expect(try await server.stats().sleepsFinished == calls)
            // Without the budget all six would sleep at once, holding 3.6 MB.
            #expect(peakRunning.load(ordering: .relaxed) <= 2, "calls running at once")
            let bound = budget + calls * (64 << 10) + bodySize + (64 << 10)
            #expect(peakBuffered.load(ordering: .relaxed) <= bound, "request bytes held")
            #expect(try await eventually { server.server.bufferedRequestBytes == 0 }, "buffered bytes were not all released")
        }
    }

    /// A client that sends requests with big answers and never reads: the socket stops
    /// taking output, the server stops reading, and after the write-stall timeout it closes
    /// the connection; other clients are served throughout.
    @Test func aClientThatNeverReadsIsDisconnectedAfterTheWriteStallTimeout() async throws {
        try await withEngineServer(engine: .init(writeStallTimeout: .seconds(2))) { (server: EngineServer) async throws in
            let officer = try await server.token(.officer)
            _ = try await server.client(token: officer).call(TestAPI.put, PutRequest(key: "big", value: String(repeating: "b", count: 1 << 20)))
            var bytes = RawHTTP2.preface + RawHTTP2.widestWindows
            let headers = RawHTTP2.requestHeaders(path: TestAPI.get.path, extra: [("authorization", "Bearer \(officer)")])
            for stream in stride(from: UInt32(1), through: 39, by: 2) {
                bytes += RawHTTP2.frame(type: 1, flags: 0x4, stream: stream, payload: headers)
                    + RawHTTP2.frame(type: 0, flags: 0x1, stream: stream, payload: Array(#"{"key":"big"}"#.utf8))
            }
            let silent = try await RawHTTP2.connectWithoutReading(port: server.port, bytes)
            defer { silent.close(promise: nil) }
            // Served: 20 answers of 1 MiB each were made for it (the timeout leaves 2 s to see it).
            #expect(try await eventually { server.server.openConnections == 2 })
            // 20 MiB of answers cannot fit in the socket buffers: the write stalls.
            #expect(try await eventually { server.server.openConnections == 1 && server.server.liveConnectionHandlers == 1 },
                    "the connection of a client that never reads was kept")
            _ = try await server.stats()
        }
    }

    /// A client that reads everything but grants no flow-control window keeps the socket
    /// writable while its answers wait: with no answer byte sent for the write-stall timeout,
    /// the connection is closed; an ordinary client is not.
    @Test func aClientThatGrantsNoWindowIsDisconnectedAfterTheWriteStallTimeout() async throws {
        try await withEngineServer(engine: .init(writeStallTimeout: .seconds(2))) { (server: EngineServer) async throws in
            // SETTINGS_INITIAL_WINDOW_SIZE 0: no DATA may be sent on any stream, and no
            // WINDOW_UPDATE ever follows.
            let bytes = RawHTTP2.preface + RawHTTP2.frame(type: 4, flags: 0, stream: 0, payload: [0x00, 0x04, 0x00, 0x00, 0x00, 0x00])
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: RawHTTP2.requestHeaders(path: TestAPI.stats.path))
                + RawHTTP2.frame(type: 0, flags: 0x1, stream: 1, payload: Array("{}".utf8))
            let (received, serverClosed) = try await RawHTTP2.exchange(port: server.port, bytes, readFor: .seconds(60))
            #expect(serverClosed, "the connection of a client that grants no window was kept")
            let frames = RawHTTP2.frames(in: received)
            #expect(frames.contains { $0.type == 1 && $0.stream == 1 }, "the answer's HEADERS went out: \(frames.map(\.type))")
            #expect(!frames.contains { $0.type == 0 && $0.stream == 1 }, "DATA went out despite a window of 0")
            // Others are served meanwhile and after.
            _ = try await server.stats()
            #expect(try await eventually { server.server.openConnections <= 1 })
        }
    }

    /// An answer sent while the client is still uploading (here `resource_exhausted`, the
    /// body already over the cap) is followed by RST_STREAM(NO_ERROR), RFC 9113 §8.1.
    @Test func anEarlyAnswerIsFollowedByAResetWithNoError() async throws {
        try await withEngineServer(rpc: .init(maxRequestBodyBytes: 1024), engine: .init(maxRequestBodyBytes: 1024)) { (server: EngineServer) async throws in
            let bytes = RawHTTP2.preface + RawHTTP2.emptySettings
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: RawHTTP2.requestHeaders(path: TestAPI.echo.path))
                + RawHTTP2.frame(type: 0, flags: 0, stream: 1, payload: Array(repeating: UInt8(ascii: " "), count: 4000))
            let (received, _) = try await RawHTTP2.exchange(port: server.port, bytes, readFor: .seconds(30)) { received in
                RawHTTP2.frames(in: received).contains { $0.type == 3 }
            }
            let frames = RawHTTP2.frames(in: received).filter { $0.stream == 1 && [0, 1, 3].contains($0.type) }
            let answerEnd = try #require(frames.firstIndex { [0, 1].contains($0.type) && $0.flags & 0x1 != 0 }, "no complete answer: \(frames)")
            let reset = try #require(frames.firstIndex { $0.type == 3 }, "no RST_STREAM: \(frames)")
            #expect(frames[0].type == 1, "the answer's HEADERS come first")
            #expect(answerEnd < reset, "the reset came before the answer was complete")
            #expect(RawHTTP2.uint32(frames[reset].payload) == 0, "RST_STREAM is not NO_ERROR")
            #expect(try await eventually { server.server.bufferedRequestBytes == 0 })
        }
    }

    /// Connects, sends the preface and SETTINGS, and listens for a second.
    static func connectAndListen(port: Int) async throws -> (received: [UInt8], serverClosed: Bool) {
        do {
            return try await RawHTTP2.exchange(port: port, RawHTTP2.preface + RawHTTP2.emptySettings, readFor: .seconds(1)) { received in
                RawHTTP2.frames(in: received).contains { $0.type == 4 }
            }
        } catch let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode) {
            return ([], true)
        } catch ChannelError.ioOnClosedChannel {
            return ([], true)
        }
    }
}
