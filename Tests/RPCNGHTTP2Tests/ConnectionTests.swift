import Foundation
import Messages
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// Many streams on one connection, clients that go away, limits, and the ways a
/// connection ends (idle, max age, shutdown) — and that every closed connection's handler
/// and nghttp2 session are freed.
@Suite("nghttp2 engine: connections and streams")
struct ConnectionTests {
    static let echoBody = #"{"id":"c-1","title":"x","amount":1,"tags":["a"]}"#

    @Test func manyConcurrentStreamsOnOneConnection() async throws {
        try await withEngineServer(engine: .init(maxConcurrentStreams: 16)) { (server: EngineServer) async throws in
            let client = server.client()
            // Once the client has the server's SETTINGS it keeps to the limit; before, nghttp2
            // refuses streams past it (REFUSED_STREAM, which only a retrying client survives).
            _ = try await server.stats()
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let message = EchoMessage(id: "m-\(index)", title: "t", amount: Money(ore: Int64(index)), tags: [])
                        return try await client.call(TestAPI.echo, message) == message
                    }
                }
                // More sleeping calls than the stream limit: the client queues the rest.
                for _ in 0..<40 {
                    group.addTask { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 20)).slept == 20 }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 340)
            #expect(results.allSatisfy { $0 })
            #expect(server.server.openConnections == 1)
        }
    }

    @Test func aClientThatDisconnectsMidBodyLeavesNothingBehind() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let headers = RawHTTP2.requestHeaders(path: TestAPI.echo.path)
            let bytes = RawHTTP2.preface + RawHTTP2.emptySettings
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: headers)
                + RawHTTP2.frame(type: 0, flags: 0, stream: 1, payload: Array(#"{"id":"#.utf8))
            for _ in 0..<5 { try await RawHTTP2.writeAndDisconnect(port: server.port, bytes) }
            #expect(try await eventually { server.server.openConnections == 0 && server.server.liveConnectionHandlers == 0 })
            #expect(try await server.client().call(TestAPI.echo, EchoMessage(id: "after", title: "t", amount: Money(ore: 1), tags: [])).id == "after")
        }
    }

    @Test func aClientThatDisconnectsMidCallCancelsTheHandler() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let headers = RawHTTP2.requestHeaders(path: TestAPI.sleep.path)
            let bytes = RawHTTP2.preface + RawHTTP2.emptySettings
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: headers)
                + RawHTTP2.frame(type: 0, flags: 0x1, stream: 1, payload: Array(#"{"milliseconds":10000}"#.utf8))
            let victim = Task { try await RawHTTP2.exchange(port: server.port, bytes, readFor: .seconds(30)) }
            #expect(try await eventually { try await server.stats().sleepsStarted == 1 })
            victim.cancel()
            _ = try? await victim.value
            #expect(try await eventually { try await server.stats().sleepsCancelled == 1 })
            // Only the connection of the stats client is left, and only its handler lives.
            #expect(try await eventually { server.server.openConnections == 1 && server.server.liveConnectionHandlers == 1 })
        }
    }

    @Test func aResetStreamCancelsItsHandlerAndKeepsTheConnection() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let client = server.client()
            let call = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 10000)) }
            #expect(try await eventually { try await server.stats().sleepsStarted == 1 })
            call.cancel()  // our client resets the stream
            _ = await call.result
            #expect(try await eventually { try await server.stats().sleepsCancelled == 1 })
            #expect(server.server.openConnections == 1)
        }
    }

    @Test func anOversizedHeaderListResetsOnlyItsStream() async throws {
        try await withEngineServer(engine: .init(maxHeaderListSize: 4096)) { (server: EngineServer) async throws in
            let big = RawHTTP2.requestHeaders(path: TestAPI.echo.path, extra: [("x-big", String(repeating: "a", count: 6000))])
            let fine = RawHTTP2.requestHeaders(path: TestAPI.echo.path)
            let body = Array(Self.echoBody.utf8)
            let bytes = RawHTTP2.preface + RawHTTP2.emptySettings
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 1, payload: big)
                + RawHTTP2.frame(type: 0, flags: 0x1, stream: 1, payload: body)
                + RawHTTP2.frame(type: 1, flags: 0x4, stream: 3, payload: fine)
                + RawHTTP2.frame(type: 0, flags: 0x1, stream: 3, payload: body)
            let (received, closed) = try await RawHTTP2.exchange(port: server.port, bytes) { received in
                RawHTTP2.frames(in: received).contains { $0.stream == 3 && $0.flags & 0x1 != 0 }
            }
            let frames = RawHTTP2.frames(in: received)
            #expect(!closed)
            #expect(frames.contains { $0.type == 3 && $0.stream == 1 }, "RST_STREAM on stream 1: \(frames)")
            #expect(frames.contains { $0.type == 1 && $0.stream == 3 }, "HEADERS answering stream 3: \(frames)")
            #expect(!frames.contains { $0.type == 7 }, "no GOAWAY: \(frames)")
        }
    }

    @Test func http1OnTheH2cPortGetsTheConnectionClosed() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let (received, closed) = try await RawHTTP2.exchange(port: server.port, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(closed)
            #expect(!String(decoding: received, as: UTF8.self).contains("HTTP/1.1"))
            #expect(try await eventually { server.server.liveConnectionHandlers == 0 })
        }
    }

    /// A socket that never completes the preface and SETTINGS is closed after the handshake
    /// timeout, not the idle one; a client that did complete them keeps its connection.
    @Test func aConnectionWithoutAPrefaceIsClosedAfterTheHandshakeTimeout() async throws {
        // 3 s: long enough for the client's bytes to arrive on a busy machine, far below the
        // idle timeout the test tells it from.
        try await withEngineServer(engine: .init(idleTimeout: .seconds(300), handshakeTimeout: .seconds(3))) { (server: EngineServer) async throws in
            for bytes in [[UInt8](), Array("PRI * HTTP/2.0\r\n".utf8)] {
                let started = ContinuousClock.now
                let (_, closed) = try await RawHTTP2.exchange(port: server.port, bytes, readFor: .seconds(60))
                #expect(closed, "a silent connection was left open")
                #expect(started.duration(to: .now) < .seconds(30))
            }
            #expect(try await eventually { server.server.liveConnectionHandlers == 0 })

            _ = try await server.stats()
            try await Task.sleep(for: .seconds(4))
            _ = try await server.stats()
            #expect(server.server.openConnections == 1, "the handshake timer closed a connection that had spoken HTTP/2")
        }
    }

    @Test func anIdleConnectionIsClosedAndTheClientReconnects() async throws {
        try await withEngineServer(engine: .init(idleTimeout: .milliseconds(500))) { (server: EngineServer) async throws in
            // The client may pick a connection the idle timer is closing (a close races the
            // call, on a busy machine even the first one); `unavailable` is retried on a new one.
            let retrying = RPCClient(transport: server.transport, defaultTimeout: .seconds(60), retryPolicy: .default, logger: EngineServer.logger)
            _ = try await retrying.call(TestAPI.stats, StatsRequest())
            #expect(try await eventually { server.server.openConnections == 0 && server.server.liveConnectionHandlers == 0 })
            _ = try await retrying.call(TestAPI.stats, StatsRequest())
        }
    }

    @Test func aConnectionPastItsMaxAgeGetsGoawayAndCloses() async throws {
        try await withEngineServer(engine: .init(maxAge: .milliseconds(300))) { (server: EngineServer) async throws in
            // On a busy machine the first call may meet the GOAWAY already: retried.
            let retrying = RPCClient(transport: server.transport, defaultTimeout: .seconds(60), retryPolicy: .default, logger: EngineServer.logger)
            _ = try await retrying.call(TestAPI.stats, StatsRequest())
            #expect(try await eventually { server.server.openConnections == 0 && server.server.liveConnectionHandlers == 0 })
        }
    }

    @Test func shutdownLetsTheCallInFlightFinish() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let client = server.client()
            let call = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 400)) }
            #expect(try await eventually { try await server.stats().sleepsStarted == 1 })
            await server.server.shutdown()
            #expect(try await call.value.slept == 400)
            #expect(server.server.openConnections == 0)
            #expect(try await eventually { server.server.liveConnectionHandlers == 0 })
        }
    }
}
