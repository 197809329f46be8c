import Foundation
import HTTPTypes
import Messages
import NIOCore
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// ``NGHTTP2ClientTransport`` under the typed ``RPCClient``, against both server engines:
/// the same answers as ``HTTP2ClientTransport`` gets, byte for byte, and the call layer's
/// deadlines and retries working over it.
@Suite("nghttp2 client: calls")
struct ClientCallTests {
    static let echo = EchoMessage(id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923 609 016"))

    @Test(arguments: ServerEngine.allCases)
    func echoIsByteIdenticalToTheNIOHTTP2Client(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                let typed = try await rpcClient(transport).call(TestAPI.echo, Self.echo)
                #expect(typed == EchoMessage(id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923609016")))

                let reference = try HTTP2ClientTransport(host: "127.0.0.1", port: server.port, connections: 1, logger: EngineServer.logger)
                let body = #"{ "title": "Grünerløkka", "id": "t-2", "tags": ["a"], "amount": 1 }"#
                let headers = jsonHeaders(("x-request-id", "req-42"))
                let ours = try await transport.raw(TestAPI.echo.path, body: body, headers: headers)
                let theirs = try await using(reference) { try await $0.raw(TestAPI.echo.path, body: body, headers: headers) }
                #expect(ours.status == 200)
                #expect(ours.text == #"{"amount":1,"id":"t-2","tags":["a"],"title":"Grünerløkka"}"#)
                #expect(ours.status == theirs.status)
                #expect(ours.body == theirs.body)
                #expect(ours.header("content-type") == "application/json")
                #expect(ours.header("x-request-id") == "req-42")
                #expect(ours.header("content-type") == theirs.header("content-type"))
            }
        }
    }

    @Test(arguments: ServerEngine.allCases)
    func refusalsCarryTheirConnectCodeAndStatus(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                let auditor = try await server.token(.auditor)
                expectRefusal(try await transport.raw(TestAPI.put.path, body: #"{"key":"k","value":"v"}"#), .unauthenticated)
                expectRefusal(try await transport.raw(TestAPI.put.path, body: #"{"key":"k","value":"v"}"#, headers: jsonHeaders(token: auditor)), .permissionDenied)
                expectRefusal(try await transport.raw(TestAPI.echo.path, body: #"{"id":"t-1","title":"x","amount":1,"tags":["a",7]}"#), .invalidArgument, fieldPath: "tags[1]")
                expectRefusal(try await transport.raw("/tender.test.v1.TestService/Nope", body: "{}"), .unimplemented)
                let plain = try await transport.raw(TestAPI.echo.path, body: "hello", headers: [("content-type", "text/plain")])
                expectRefusal(plain, .invalidArgument, status: 415)

                // The typed client turns the body back into the same error.
                let error = await #expect(throws: RPCError.self) {
                    try await rpcClient(transport, token: auditor).call(TestAPI.put, PutRequest(key: "k", value: "v"))
                }
                #expect(error?.code == .permissionDenied)
            }
        }
    }

    @Test("200 concurrent calls on one connection, past the server's limit of 16 streams", arguments: ServerEngine.allCases)
    func manyConcurrentCallsOnOneConnection(engine: ServerEngine) async throws {
        try await withClientTestServer(engine, nghttp2: .init(maxConcurrentStreams: 16)) { server async throws in
            try await using(try server.transport(connections: 1)) { transport async throws in
                let client = rpcClient(transport)
                let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            if index % 10 == 0 { return try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 20)).slept == 20 }
                            let message = EchoMessage(id: "m-\(index)", title: "t", amount: Money(ore: Int64(index)), tags: ["\(index)"])
                            return try await client.call(TestAPI.echo, message) == message
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(results.count == 200)
                #expect(results.allSatisfy { $0 })
                if let nghttp2 = server.nghttp2 { #expect(nghttp2.openConnections == 1) }
            }
        }
    }

    @Test("at the deadline: deadline_exceeded, and the server's handler is cancelled", arguments: ServerEngine.allCases)
    func deadlineResetsTheStream(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                // Deadlines of seconds: the handler must have started before the reset
                // arrives, or there is nothing to cancel (on a busy machine dispatch alone can
                // take that long).
                let started = ContinuousClock.now
                // The request's own deadline, not the server's connect-timeout-ms, must end
                // it: the raw request carries no timeout header.
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                let request = ClientRequest(path: TestAPI.sleep.path, headers: headers, body: ByteBuffer(string: #"{"milliseconds":60000}"#), deadline: .now.advanced(by: .seconds(3)))
                let raw = Task { try await transport.send(request) }
                #expect(try await eventually { try await server.stats().sleepsStarted == 1 })
                let error = await #expect(throws: RPCError.self) { try await raw.value }
                #expect(error?.code == .deadlineExceeded)
                #expect(started.duration(to: .now) < .seconds(20))
                #expect(try await eventually { try await server.stats().sleepsCancelled == 1 })

                // Through the typed client.
                let client = rpcClient(transport, timeout: .seconds(3))
                let typed = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 60000)) }
                #expect(try await eventually { try await server.stats().sleepsStarted == 2 })
                let typedError = await #expect(throws: RPCError.self) { try await typed.value }
                #expect(typedError?.code == .deadlineExceeded)
                #expect(try await eventually { try await server.stats().sleepsCancelled == 2 })
                // The connection survives its reset streams.
                #expect(try await rpcClient(transport).call(TestAPI.echo, Self.echo).id == "t-1")
            }
        }
    }

    @Test("a cancelled task resets its stream and the handler is cancelled", arguments: ServerEngine.allCases)
    func cancellationResetsTheStream(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                let client = rpcClient(transport)
                let call = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 60000)) }
                #expect(try await eventually { try await server.stats().sleepsStarted == 1 })
                let started = ContinuousClock.now
                call.cancel()
                let result = await call.result
                #expect((try? result.get()) == nil)
                #expect(started.duration(to: .now) < .seconds(20))
                #expect(try await eventually { try await server.stats().sleepsCancelled == 1 })
            }
        }
    }

    @Test("an idempotent call answered unavailable is retried by the call layer", arguments: ServerEngine.allCases)
    func unavailableIsRetried(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                let retrying = rpcClient(transport, retryPolicy: RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(10)))
                let answer = try await retrying.call(TestAPI.flakyRead, FlakyRequest(key: "r-1", failures: 2))
                #expect(answer.attempts == 3)
                // Without retries the same refusal reaches the caller.
                let error = await #expect(throws: RPCError.self) {
                    try await rpcClient(transport).call(TestAPI.flakyRead, FlakyRequest(key: "r-2", failures: 1))
                }
                #expect(error?.code == .unavailable)
            }
        }
    }

    @Test("bodies larger than the flow-control windows, both ways; one past the server's cap is refused", arguments: ServerEngine.allCases)
    func largeBodies(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport()) { transport async throws in
                let big = EchoMessage(id: "big", title: String(repeating: "ø", count: 1 << 20), amount: Money(ore: 1), tags: [])
                #expect(try await rpcClient(transport).call(TestAPI.echo, big) == big)
                // Past the server's 4 MiB cap: answered (early, on the nghttp2 engine) with
                // resource_exhausted while the client may still be sending.
                let tooBig = String(repeating: " ", count: 5 << 20) + "{}"
                expectRefusal(try await transport.raw(TestAPI.echo.path, body: tooBig), .resourceExhausted)
                #expect(try await rpcClient(transport).call(TestAPI.echo, Self.echo).id == "t-1")
            }
        }
    }

    @Test("a response over the client's cap is resource_exhausted", arguments: ServerEngine.allCases)
    func responseOverTheCapIsResourceExhausted(engine: ServerEngine) async throws {
        try await withClientTestServer(engine) { server async throws in
            try await using(try server.transport(maxResponseBodyBytes: 4096)) { transport async throws in
                let big = EchoMessage(id: "big", title: String(repeating: "x", count: 100_000), amount: Money(ore: 1), tags: [])
                let error = await #expect(throws: RPCError.self) { try await rpcClient(transport).call(TestAPI.echo, big) }
                #expect(error?.code == .resourceExhausted)
                // The stream was reset, the connection goes on.
                #expect(try await rpcClient(transport).call(TestAPI.echo, Self.echo).id == "t-1")
            }
        }
    }
}
