import Foundation
import Messages
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// The wire protocol (DESIGN.md §2) through the libnghttp2 engine, driven by our own
/// client over real sockets: what the Hummingbird engine's tests check, the same answers.
@Suite("nghttp2 engine: calls with our client")
struct CallTests {
    static let echo = EchoMessage(id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923 609 016"))

    @Test func echoSucceedsWithCanonicalJSONAndARequestID() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let typed = try await server.client().call(TestAPI.echo, Self.echo)
            #expect(typed == EchoMessage(id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923609016")))

            let raw = try await server.transport.raw(TestAPI.echo.path, body: #"{ "title": "x", "id": "t-2", "tags": [], "amount": 1 }"#, headers: jsonHeaders(("x-request-id", "req-42")))
            #expect(raw.status == 200)
            #expect(raw.text == #"{"amount":1,"id":"t-2","tags":[],"title":"x"}"#)
            #expect(raw.header("content-type") == "application/json")
            #expect(raw.header("x-request-id") == "req-42")
        }
    }

    @Test func refusalsCarryTheirConnectCodeAndStatus() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let transport = server.transport
            let auditor = try await server.token(.auditor)
            expectRefusal(try await transport.raw(TestAPI.put.path, body: #"{"key":"k","value":"v"}"#), .unauthenticated)
            expectRefusal(try await transport.raw(TestAPI.put.path, body: #"{"key":"k","value":"v"}"#, headers: jsonHeaders(token: auditor)), .permissionDenied)
            expectRefusal(try await transport.raw(TestAPI.put.path, body: "{}", headers: jsonHeaders(token: "not-a-jwt")), .unauthenticated)
            expectRefusal(try await transport.raw(TestAPI.echo.path, body: #"{"id":"t-1","title":"x","amount":1,"tags":["a",7]}"#), .invalidArgument, fieldPath: "tags[1]")
            expectRefusal(try await transport.raw(TestAPI.echo.path, body: #"{"id": "t-1", "title": "#), .invalidArgument, fieldPath: "")
            expectRefusal(try await transport.raw("/tender.test.v1.TestService/Nope", body: "{}"), .unimplemented)
            expectRefusal(try await transport.raw("/", body: "{}"), .unimplemented)
            let plain = try await transport.raw(TestAPI.echo.path, body: "hello", headers: [("content-type", "text/plain")])
            expectRefusal(plain, .invalidArgument, status: 415)
            #expect(plain.header("accept-post") == "application/json")

            // The typed client turns the body back into the same error.
            let error = await #expect(throws: RPCError.self) {
                try await server.client(token: auditor).call(TestAPI.put, PutRequest(key: "k", value: "v"))
            }
            #expect(error?.code == .permissionDenied)
        }
    }

    @Test func bodyOverTheCapIsResourceExhaustedAndStoresNothing() async throws {
        try await withEngineServer(rpc: .init(maxRequestBodyBytes: 1024), engine: .init(maxRequestBodyBytes: 1024)) { (server: EngineServer) async throws in
            let officer = try await server.token(.officer)
            let big = #"{"key":"big","value":""# + String(repeating: "x", count: 4000) + #""}"#
            expectRefusal(try await server.transport.raw(TestAPI.put.path, body: big, headers: jsonHeaders(token: officer)), .resourceExhausted)
            // Authentication comes first: a caller without a token learns nothing about the cap.
            expectRefusal(try await server.transport.raw(TestAPI.put.path, body: big), .unauthenticated)
            // Far past the stream window: answered early, the rest of the upload is dropped.
            let huge = String(repeating: " ", count: 300_000) + "{}"
            expectRefusal(try await server.transport.raw(TestAPI.echo.path, body: huge), .resourceExhausted)
            let stored = try await server.client(token: officer).call(TestAPI.get, GetRequest(key: "big"))
            #expect(stored.executions == 0)

            // Exactly at the cap is accepted: the cap counts bytes.
            let fitting = #"{"key":"fit","value":""}"#
            let padded = fitting + String(repeating: " ", count: 1024 - fitting.utf8.count)
            let accepted = try await server.transport.raw(TestAPI.put.path, body: padded, headers: jsonHeaders(token: officer))
            #expect(accepted.status == 200, "\(accepted.text)")
        }
    }

    @Test func theServerEnforcesConnectTimeoutMs() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let started = ContinuousClock.now
            // 3 s: the handler starts (so there is a sleep to cancel) even on a loaded machine.
            let late = try await server.transport.raw(TestAPI.sleep.path, body: #"{"milliseconds":60000}"#, headers: jsonHeaders(("connect-timeout-ms", "3000")))
            expectRefusal(late, .deadlineExceeded)
            #expect(started.duration(to: .now) < .seconds(30))
            #expect(try await eventually { try await server.stats().sleepsCancelled == 1 })
            expectRefusal(try await server.transport.raw(TestAPI.sleep.path, body: #"{"milliseconds":1}"#, headers: jsonHeaders(("connect-timeout-ms", "soon"))),
                          .invalidArgument, fieldPath: "connect-timeout-ms")
            // The typed client sends its own deadline and gets the server's answer to it.
            await #expect(throws: RPCError.self) {
                try await server.client(timeout: .milliseconds(300)).call(TestAPI.sleep, SleepRequest(milliseconds: 5000))
            }
        }
    }

    @Test func aRetriedMutationWithTheSameKeyIsReplayed() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let officer = try await server.token(.officer)
            let headers = jsonHeaders(token: officer, ("idempotency-key", "put-once-1"))
            let first = try await server.transport.raw(TestAPI.put.path, body: #"{"key":"once","value":"v"}"#, headers: headers)
            let second = try await server.transport.raw(TestAPI.put.path, body: #"{"key":"once","value":"v"}"#, headers: headers)
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.text == #"{"executions":1,"key":"once"}"#)
            #expect(second.text == first.text)
            #expect(first.header("idempotent-replayed") == nil)
            #expect(second.header("idempotent-replayed") == "true")
            let conflict = try await server.transport.raw(TestAPI.put.path, body: #"{"key":"once","value":"other"}"#, headers: headers)
            expectRefusal(conflict, .failedPrecondition)

            let typed = try await server.client(token: officer).call(TestAPI.put, PutRequest(key: "once", value: "v"), options: CallOptions(idempotencyKey: "put-once-1"))
            #expect(typed == PutResponse(key: "once", executions: 1))
        }
    }
}
