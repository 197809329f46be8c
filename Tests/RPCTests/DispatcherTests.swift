import Foundation
import HTTPTypes
import Messages
import Logging
import NIOCore
import RPC
import ServiceKit
import Testing
import TestServiceKit

/// The dispatcher through ``InProcessTransport``: the whole server pipeline without sockets,
/// answering exactly as it does over HTTP/2.
@Suite("Dispatcher in process")
struct DispatcherTests {
    @Test func successfulCalls() async throws {
        try await withTestBackend { backend in
            let message = EchoMessage(id: "1", title: "Smart bins", amount: Money(kroner: 1_500_000), tags: ["waste", "iot"], org: .sample)
            #expect(try await backend.client().call(TestAPI.echo, message) == message)
            let officer = backend.client(token: try await backend.token(.officer))
            #expect(try await officer.call(TestAPI.put, PutRequest(key: "k", value: "v")) == PutResponse(key: "k", executions: 1))
            let auditor = backend.client(token: try await backend.token(.auditor))
            #expect(try await auditor.call(TestAPI.get, GetRequest(key: "k")) == GetResponse(value: "v", executions: 1))
        }
    }

    @Test func authenticationAndRoles() async throws {
        try await withTestBackend { backend in
            let put = PutRequest(key: "k", value: "v")
            let anonymous = await #expect(throws: RPCError.self) { try await backend.client().call(TestAPI.put, put) }
            #expect(anonymous?.code == .unauthenticated)
            let forged = await #expect(throws: RPCError.self) { try await backend.client(token: "x.y.z").call(TestAPI.put, put) }
            #expect(forged?.code == .unauthenticated)
            let startup = backend.client(token: try await backend.token(.startup))
            let denied = await #expect(throws: RPCError.self) { try await startup.call(TestAPI.put, put) }
            #expect(denied?.code == .permissionDenied)
            let auditor = backend.client(token: try await backend.token(.auditor))
            let readOnly = await #expect(throws: RPCError.self) { try await auditor.call(TestAPI.put, put) }
            #expect(readOnly?.code == .permissionDenied)
            #expect(try await auditor.call(TestAPI.get, GetRequest(key: "k")).executions == 0)
        }
    }

    @Test("decoding errors name the field", arguments: [
        (#"{"id":"1","title":"t","amount":"5","tags":[]}"#, "amount"),
        (#"{"id":"1","title":"t","amount":5,"tags":[true]}"#, "tags[0]"),
        (#"{"id":"1","title":"t","amount":5}"#, "tags"),
        (#"[1,2]"#, ""),
        (#"{"id":"1","#, ""),
    ])
    func decodingErrors(body: String, path: String) async throws {
        try await withTestBackend { backend in
            let error = await #expect(throws: RPCError.self) {
                try await backend.client().call(TestAPI.echo.descriptor, body: ByteBuffer(string: body))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldPath == path, "\(String(describing: error))")
        }
    }

    /// Øre are integers: `"amount": 1500000.50` is a likely client mistake and must be
    /// answered with the field's name. On Linux, swift-foundation's JSONDecoder reports a
    /// number that does not fit an integer type as "not valid JSON" at the root
    /// (swiftlang/swift-foundation#274, #1604); `Money` names its own field instead.
    @Test("a number that does not fit an integer field names the field", arguments: [
        (#"{"id":"1","title":"t","amount":1500000.50,"tags":[]}"#, "amount"),
        (#"{"id":"1","title":"t","amount":99999999999999999999,"tags":[]}"#, "amount"),
    ])
    func unrepresentableNumber(body: String, path: String) async throws {
        try await withTestBackend { backend in
            let error = await #expect(throws: RPCError.self) {
                try await backend.client().call(TestAPI.echo.descriptor, body: ByteBuffer(string: body))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldPath == path, "\(String(describing: error))")
        }
    }

    @Test func sameStatusesAsOverHTTP2() async throws {
        try await withTestBackend(configuration: RPCServerConfiguration(maxRequestBodyBytes: 256)) { backend in
            let transport = InProcessTransport(dispatcher: backend.dispatcher)
            let echo = try json(EchoMessage(id: "1", title: "t", amount: .zero, tags: []))
            expectRefusal(try await transport.raw(TestAPI.echo, body: echo, headers: [("content-type", "text/plain")]), .invalidArgument, status: 415)
            expectRefusal(try await transport.raw("/tender.test.v1.TestService/Nope", body: echo), .unimplemented)
            expectRefusal(try await transport.raw(TestAPI.echo, body: echo, headers: jsonHeaders(("connect-timeout-ms", "x"))), .invalidArgument, fieldPath: "connect-timeout-ms")
            expectRefusal(try await transport.raw(TestAPI.echo, body: String(repeating: " ", count: 300) + echo), .resourceExhausted)
            expectRefusal(try await transport.raw(TestAPI.put, body: "{}"), .unauthenticated)
            let ok = try await transport.raw(TestAPI.echo, body: echo)
            #expect(ok.status == 200)
            #expect(ok.header("content-type") == "application/json")
        }
    }

    @Test func onlyPostIsAllowed() async throws {
        try await withTestBackend { backend in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let response = await backend.dispatcher.handle(method: .get, path: TestAPI.echo.path, headers: headers) { _ in ByteBuffer(string: "{}") }
            #expect(response.status.code == 405)
            #expect(response.headers[.allow] == "POST")
        }
    }

    /// A header sent twice counts as its values joined (as HTTPTypes reads it): two
    /// content types are not JSON, two tokens are not one bearer token, two request ids are
    /// not one printable token.
    @Test func aRepeatedHeaderIsReadAsItsJoinedValues() async throws {
        try await withTestBackend { backend in
            let transport = InProcessTransport(dispatcher: backend.dispatcher)
            let echo = try json(EchoMessage(id: "1", title: "t", amount: .zero, tags: []))
            let twoTypes = try await transport.raw(TestAPI.echo, body: echo, headers: [("content-type", "application/json"), ("content-type", "application/json")])
            #expect(twoTypes.status == 415)
            let token = try await backend.token(.auditor)
            let twoTokens = try await transport.raw(TestAPI.get, body: #"{"key":"k"}"#, headers: jsonHeaders(token: token, ("authorization", "Bearer \(token)")))
            #expect(twoTokens.status == 401)
            let twoIDs = try await transport.raw(TestAPI.echo, body: echo, headers: jsonHeaders(("x-request-id", "a"), ("x-request-id", "b")))
            #expect(twoIDs.status == 200)
            #expect(twoIDs.header("x-request-id").map { $0 != "a" && $0 != "b" } == true)
            let once = try await transport.raw(TestAPI.get, body: #"{"key":"k"}"#, headers: jsonHeaders(token: token, ("x-request-id", "req-1")))
            #expect(once.status == 200)
            #expect(once.header("x-request-id") == "req-1")
        }
    }

    @Test func requestIDIsEchoedOrMade() async throws {
        try await withTestBackend { backend in
            let transport = InProcessTransport(dispatcher: backend.dispatcher)
            let echo = try json(EchoMessage(id: "1", title: "t", amount: .zero, tags: []))
            let given = try await transport.raw(TestAPI.echo, body: echo, headers: jsonHeaders(("x-request-id", "req-42")))
            #expect(given.header("x-request-id") == "req-42")
            let refused = try await transport.raw(TestAPI.put, body: echo, headers: jsonHeaders(("x-request-id", "req-43")))
            #expect(refused.header("x-request-id") == "req-43")
            let unprintable = try await transport.raw(TestAPI.echo, body: echo, headers: jsonHeaders(("x-request-id", "bad id")))
            let made = try #require(unprintable.header("x-request-id"))
            #expect(made != "bad id" && !made.isEmpty)
        }
    }
}

/// `CallContext.current`: a call made inside a handler carries the incoming call's trace,
/// request id and remaining deadline to the next service.
@Suite("Call context inheritance")
struct CallContextTests {
    let pair = ProbePair()

    @Test func traceAndRequestIDAreInherited() async throws {
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let callerSpan = "00f067aa0ba902b7"
        let response = try await InProcessTransport(dispatcher: pair.front).raw(
            ProbeAPI.front, body: "{}",
            headers: jsonHeaders(("traceparent", "00-\(traceID)-\(callerSpan)-01"), ("x-request-id", "probe-1"), ("connect-timeout-ms", "60000")))
        #expect(response.status == 200, "\(response.text)")
        let report = try response.decode(ProbeReport.self)
        #expect(report.front.traceID == traceID)
        #expect(report.back.traceID == traceID)
        #expect(report.front.requestID == "probe-1")
        #expect(report.back.requestID == "probe-1")
        #expect(Set([callerSpan, report.front.spanID, report.back.spanID]).count == 3, "each hop has its own span")
        #expect(report.front.currentMatches && report.back.currentMatches)
        let front = try #require(report.front.budgetMs)
        let back = try #require(report.back.budgetMs)
        #expect(front <= 60_000 && back <= front, "front \(front) ms, back \(back) ms")
    }

    @Test func newTraceIsSharedByTheWholeCall() async throws {
        let client = RPCClient(transport: InProcessTransport(dispatcher: pair.front), logger: TestBackend.logger)
        #expect(CallContext.current == nil)
        let first = try await client.call(ProbeAPI.front, ProbeRequest())
        let second = try await client.call(ProbeAPI.front, ProbeRequest())
        #expect(first.back.traceID == first.front.traceID)
        #expect(first.back.requestID == first.front.requestID)
        #expect(first.front.traceID != second.front.traceID, "calls from outside a handler start new traces")
        #expect(first.front.requestID != second.front.requestID)
    }

    @Test("the onward deadline is the earlier of the remaining budget and the call's own timeout", arguments: [
        // Budgets generous enough that a loaded machine cannot spend them before the back
        // call starts; what is checked is which of the two bounds applies.
        (incomingMs: 10_000, onwardMs: 60_000, bound: 10_000),
        (incomingMs: 60_000, onwardMs: 5_000, bound: 5_000),
    ])
    func onwardDeadline(incomingMs: Int, onwardMs: Int, bound: Int) async throws {
        let response = try await InProcessTransport(dispatcher: pair.front).raw(
            ProbeAPI.front, body: try json(ProbeRequest(backTimeoutMs: onwardMs)),
            headers: jsonHeaders(("connect-timeout-ms", String(incomingMs))))
        #expect(response.status == 200, "\(response.text)")
        let budget = try #require(try response.decode(ProbeReport.self).back.budgetMs)
        #expect(budget > 0 && budget <= bound, "back budget \(budget) ms, bound \(bound) ms")
    }
}

/// What a call writes to the log: the dispatcher adds the call's ids to every line, its own
/// and the handler's, without setting them on the server's logger for each call.
@Suite("Dispatcher log lines")
struct DispatcherLogTests {
    @Test("a call's log lines carry its request id, trace id, method and caller")
    func callLogLines() async throws {
        let log = LogCapture()
        try await withTestBackend { backend in
            var router = RPCRouter()
            router.register(TestAPI.put) { request, context in
                context.logger.info("handling", metadata: ["key": .string(request.key)])
                throw RPCError(.notFound, "no such thing")
            }
            let dispatcher = RPCDispatcher(
                router: router, authenticator: try await TestBackend.authenticator(trusting: backend.environment.issuer),
                idempotency: SQLIdempotencyStore(database: backend.database), logger: log.logger(label: "tender.rpc-tests"))
            let client = RPCClient(
                transport: InProcessTransport(dispatcher: dispatcher),
                tokenProvider: StaticTokenProvider(try await backend.token(.officer, subject: "officer-7")),
                defaultTimeout: .seconds(60), retryPolicy: .none, logger: TestBackend.logger)
            let error = await #expect(throws: RPCError.self) { try await client.call(TestAPI.put, PutRequest(key: "k-1", value: "v")) }
            #expect(error?.code == .notFound)
        }
        let lines = log.all
        let handling = try #require(lines.first { $0.hasPrefix("info handling ") }, "\(lines)")
        let refused = try #require(lines.first { $0.hasPrefix("info call refused ") }, "\(lines)")
        for field in ["caller=officer-7", "key=k-1", "rpc=/tender.test.v1.TestService/Put"] {
            #expect(handling.contains(field), "\(handling)")
        }
        for field in ["code=not_found", "rpc=/tender.test.v1.TestService/Put"] {
            #expect(refused.contains(field), "\(refused)")
        }
        // The same call: the same request id and trace id in both lines.
        func value(_ key: String, in line: String) -> Substring? {
            line.split(separator: " ").first { $0.hasPrefix(key + "=") }?.dropFirst(key.count + 1)
        }
        let requestID = try #require(value("request_id", in: handling))
        let traceID = try #require(value("trace_id", in: handling))
        #expect(requestID.count == 36)
        #expect(traceID.count == 32)
        #expect(value("request_id", in: refused) == requestID)
        #expect(value("trace_id", in: refused) == traceID)
    }
}
