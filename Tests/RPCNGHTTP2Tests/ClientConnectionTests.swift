import Foundation
import Messages
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// How ``NGHTTP2ClientTransport`` meets servers that are not there, go away or come back:
/// never a hang, `unavailable` where the call layer may retry, a fresh connection after.
@Suite("nghttp2 client: connections")
struct ClientConnectionTests {
    static let echo = EchoMessage(id: "c-1", title: "t", amount: Money(ore: 1), tags: [])

    static func code(_ body: () async throws -> some Any) async -> ErrorCode? {
        do {
            _ = try await body()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test func aClosedPortIsUnavailablePromptlyAndBacksOff() async throws {
        let port = try await closedPort()
        try await using(try NGHTTP2ClientTransport(url: "http://127.0.0.1:\(port)", connections: 1, logger: EngineServer.logger)) { transport async throws in
            let started = ContinuousClock.now
            #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
            // The slot now backs off: the next call fails fast without connecting.
            #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
            #expect(started.duration(to: .now) < .seconds(20))
        }
    }

    @Test("a balanced transport skips an unreachable nghttp2 replica: the request never left")
    func balancedSkipsAnUnreachableReplica() async throws {
        try await withClientTestServer(.nghttp2) { server async throws in
            let down = try NGHTTP2ClientTransport(url: "http://127.0.0.1:\(try await closedPort())", logger: EngineServer.logger)
            let up = try server.transport()
            let balanced = BalancedClientTransport(replicas: [down, up])
            // A mutation without a key: the call layer would not retry it, the balancer may.
            let officer = try await server.token(.officer)
            for index in 0..<4 {
                let answer = try await rpcClient(balanced, token: officer).call(TestAPI.put, PutRequest(key: "k-\(index)", value: "v"))
                #expect(answer.executions == 1)
            }
            await balanced.close()
            if let nghttp2 = server.nghttp2 { #expect(try await eventually { nghttp2.openConnections == 0 }) }
        }
    }

    @Test("close() leaves no connection behind", arguments: [1, 2])
    func closeClosesEveryConnection(connections: Int) async throws {
        try await withClientTestServer(.nghttp2) { server async throws in
            let transport = try server.transport(connections: connections)
            for _ in 0..<4 { _ = try await rpcClient(transport).call(TestAPI.echo, Self.echo) }
            #expect(server.nghttp2?.openConnections == connections)
            await transport.close()
            #expect(try await eventually { server.nghttp2?.openConnections == 0 })
        }
    }

    @Test("calls waiting for a stream slot end at their deadline or cancellation, never reach the server, and the rest go on")
    func waitingCallsEndOnTime() async throws {
        try await withClientTestServer(.nghttp2, nghttp2: .init(maxConcurrentStreams: 2)) { server async throws in
            try await using(try server.transport(connections: 1)) { transport async throws in
                let client = rpcClient(transport)
                // Two long calls hold both streams the server allows.
                let holders = (0..<2).map { _ in Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 60000)) } }
                #expect(try await eventually { try await server.stats().sleepsStarted == 2 })

                let started = ContinuousClock.now
                let late = await #expect(throws: RPCError.self) {
                    try await rpcClient(transport, timeout: .milliseconds(300)).call(TestAPI.sleep, SleepRequest(milliseconds: 1))
                }
                #expect(late?.code == .deadlineExceeded)
                let queued = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 1)) }
                try await Task.sleep(for: .milliseconds(100))
                queued.cancel()
                let cancelled = await #expect(throws: RPCError.self) { try await queued.value }
                #expect(cancelled?.code == .canceled)
                #expect(started.duration(to: .now) < .seconds(20))

                for holder in holders { holder.cancel() }
                #expect(try await eventually { try await server.stats().sleepsCancelled == 2 })
                #expect(try await client.call(TestAPI.echo, Self.echo).id == "c-1")
                // Neither waiting call ever opened a stream.
                #expect(try await server.stats().sleepsStarted == 2)
            }
        }
    }

    @Test("the server shutting down (GOAWAY) mid-use: the call in flight finishes, later calls fail unavailable, never hang", arguments: ServerEngine.allCases)
    func serverShutdownMidUse(engine: ServerEngine) async throws {
        try await withClientTestBackend { backend async throws in
            /// Starts a long call and returns once the handler runs.
            func callInFlight(port: Int) async throws -> (NGHTTP2ClientTransport, Task<SleepResponse, any Error>) {
                let transport = try NGHTTP2ClientTransport(host: "127.0.0.1", port: port, connections: 1, logger: EngineServer.logger)
                let client = rpcClient(transport)
                let call = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 1000)) }
                #expect(try await eventually { try await backend.stats().sleepsStarted == 1 })
                return (transport, call)
            }
            let transport: NGHTTP2ClientTransport
            let inFlight: Task<SleepResponse, any Error>
            switch engine {
            case .nghttp2:
                let (server, port) = try await backend.startNGHTTP2()
                (transport, inFlight) = try await callInFlight(port: port)
                await server.shutdown()
            case .hummingbird:
                // The server shuts down (draining first, as a service does) when the closure returns.
                (transport, inFlight) = try await backend.withHummingbird(drain: true) { port async throws in try await callInFlight(port: port) }
            }
            #expect(try await inFlight.value.slept == 1000)
            let started = ContinuousClock.now
            for _ in 0..<3 {
                #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
            }
            #expect(started.duration(to: .now) < .seconds(20))
            await transport.close()
        }
    }

    @Test("a server restarted on the same port: the client connects to it again", arguments: ServerEngine.allCases)
    func serverRestartOnTheSamePort(engine: ServerEngine) async throws {
        try await withClientTestBackend { backend async throws in
            switch engine {
            case .nghttp2:
                let (first, port) = try await backend.startNGHTTP2()
                try await using(try NGHTTP2ClientTransport(host: "127.0.0.1", port: port, connections: 2, logger: EngineServer.logger)) { transport async throws in
                    #expect(try await rpcClient(transport).call(TestAPI.echo, Self.echo).id == "c-1")
                    await first.shutdown()
                    #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
                    let (second, _) = try await backend.startNGHTTP2(port: port)
                    #expect(try await eventually { await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == nil })
                    await second.shutdown()
                }
            case .hummingbird:
                let port = try await backend.withHummingbird { port in port }
                try await using(try NGHTTP2ClientTransport(host: "127.0.0.1", port: port, connections: 2, logger: EngineServer.logger)) { transport async throws in
                    #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
                    try await backend.withHummingbird(port: port) { _ async throws in
                        #expect(try await eventually { await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == nil })
                    }
                    #expect(await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == .unavailable)
                    try await backend.withHummingbird(port: port) { _ async throws in
                        #expect(try await eventually { await Self.code { try await rpcClient(transport).call(TestAPI.echo, Self.echo) } == nil })
                    }
                }
            }
        }
    }
}

/// Streams a server refused unprocessed are undelivered: `unavailable` for the caller, and a
/// balanced transport hands them to the next replica, whatever the method.
@Suite("nghttp2 client: refused streams")
struct ClientRefusedStreamTests {
    @Test(arguments: RefusingServer.Refusal.allCases)
    func aRefusedStreamIsUndelivered(refusal: RefusingServer.Refusal) async throws {
        let refusing = try await RefusingServer.start(refusal)
        let result: Result<Void, any Error>
        do {
            result = .success(try await withClientTestServer(.nghttp2) { server async throws in
                let officer = try await server.token(.officer)
                let refused = try NGHTTP2ClientTransport(host: "127.0.0.1", port: refusing.port, connections: 1, logger: EngineServer.logger)
                let alone = await #expect(throws: RPCError.self) {
                    try await rpcClient(refused, token: officer).call(TestAPI.put, PutRequest(key: "alone", value: "v"))
                }
                #expect(alone?.code == .unavailable)

                // A mutation without a key, not retried by the call layer: only the balancer's
                // knowing that the request was never processed lets it go elsewhere.
                let balanced = BalancedClientTransport(replicas: [refused, try server.transport()])
                for index in 0..<4 {
                    let answer = try await rpcClient(balanced, token: officer).call(TestAPI.put, PutRequest(key: "k-\(index)", value: "v"))
                    #expect(answer.executions == 1)
                }
                #expect(refusing.refused >= 3)
                await balanced.close()
            })
        } catch {
            result = .failure(error)
        }
        await refusing.stop()
        try result.get()
    }
}
