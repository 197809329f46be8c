import Foundation
import Messages
import NIOCore
import RPC
import Testing
import TestServiceKit

/// Every refusal of the wire protocol (DESIGN.md §2), over real HTTP/2 to a server in this
/// process: the exact code, the HTTP status of Connect's table, a JSON error body — and
/// that the refused call changed nothing.
@Suite("Refusals over HTTP/2")
struct RefusalTests {
    /// The control for every "nothing stored" check below: a valid `Put` is stored.
    @Test func validPutIsStored() async throws {
        try await withTestServer { server in
            let key = uniqueKey("control")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")), headers: jsonHeaders(token: try await server.token(.officer)))
            #expect(response.status == 200, "\(response.text)")
            #expect(try response.decode(PutResponse.self) == PutResponse(key: key, executions: 1))
            #expect(try await server.stored(key) == GetResponse(value: "v", executions: 1))
        }
    }

    @Test("content type other than JSON → 415", arguments: [
        "text/plain", "application/x-www-form-urlencoded", "application/connect+json", "application/proto", "text/json",
    ])
    func wrongContentType(_ contentType: String) async throws {
        try await withTestServer { server in
            let key = uniqueKey("ctype")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")),
                headers: [("content-type", contentType), ("authorization", "Bearer \(try await server.token(.officer))")])
            expectRefusal(response, .invalidArgument, status: 415)
            #expect(response.header("accept-post") == "application/json")
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test func missingContentTypeIs415() async throws {
        try await withTestServer { server in
            let key = uniqueKey("no-ctype")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")),
                headers: [("authorization", "Bearer \(try await server.token(.officer))")])
            expectRefusal(response, .invalidArgument, status: 415)
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test func jsonWithParametersIsAccepted() async throws {
        try await withTestServer { server in
            let response = try await server.transport.raw(
                TestAPI.echo, body: #"{"id":"1","title":"t","amount":5,"tags":[]}"#,
                headers: [("content-type", "Application/JSON; charset=utf-8")])
            #expect(response.status == 200, "\(response.text)")
            #expect(try response.decode(EchoMessage.self) == EchoMessage(id: "1", title: "t", amount: Money(ore: 5), tags: []))
        }
    }

    @Test("malformed JSON → invalid_argument 400", arguments: [false, true])
    func malformedJSON(withIdempotencyKey: Bool) async throws {
        try await withTestServer { server in
            let key = uniqueKey("malformed")
            var headers = jsonHeaders(token: try await server.token(.officer))
            if withIdempotencyKey { headers.append(("idempotency-key", uniqueKey("k"))) }
            for body in [#"{"key": "\#(key)", "value": "#, "not json", ""] {
                let response = try await server.transport.raw(TestAPI.put, body: body, headers: headers)
                expectRefusal(response, .invalidArgument)
            }
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test("a wrong type or missing field names the field path", arguments: [
        (#"{"id":"1","title":"t","amount":"ten","tags":[]}"#, "amount"),
        (#"{"id":"1","title":"t","amount":5,"tags":["a",2]}"#, "tags[1]"),
        (#"{"id":"1","amount":5,"tags":[]}"#, "title"),
        (#"{"id":"1","title":null,"amount":5,"tags":[]}"#, "title"),
        (#"{"id":"1","title":"t","amount":5,"tags":"a"}"#, "tags"),
        (#"{"id":"1","title":"t","amount":5,"tags":[],"org":"123456789"}"#, "org"),
    ])
    func fieldPath(body: String, path: String) async throws {
        try await withTestServer { server in
            let response = try await server.transport.raw(TestAPI.echo, body: body)
            expectRefusal(response, .invalidArgument, fieldPath: path)
            // The typed client surfaces the same path.
            let error = await #expect(throws: RPCError.self) {
                try await server.client().call(TestAPI.echo.descriptor, body: .init(string: body))
            }
            #expect(error?.fieldPath == path)
        }
    }

    @Test func missingFieldOfAMutationStoresNothing() async throws {
        try await withTestServer { server in
            let key = uniqueKey("missing")
            let response = try await server.transport.raw(
                TestAPI.put, body: #"{"key":"\#(key)"}"#, headers: jsonHeaders(token: try await server.token(.officer)))
            expectRefusal(response, .invalidArgument, fieldPath: "value")
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test func bodyOverTheCapIsResourceExhausted() async throws {
        try await withTestServer(configuration: RPCServerConfiguration(maxRequestBodyBytes: 1024)) { server in
            let key = uniqueKey("big")
            let token = try await server.token(.officer)
            let big = try json(PutRequest(key: key, value: String(repeating: "x", count: 4000)))
            let response = try await server.transport.raw(TestAPI.put, body: big, headers: jsonHeaders(token: token))
            expectRefusal(response, .resourceExhausted)
            #expect(try await server.stored(key).executions == 0)
            // Right under the cap is accepted: the cap counts bytes, not something else.
            let fitting = try json(PutRequest(key: key, value: ""))
            let padded = fitting + String(repeating: " ", count: 1024 - fitting.utf8.count)
            let accepted = try await server.transport.raw(TestAPI.put, body: padded, headers: jsonHeaders(token: token))
            #expect(accepted.status == 200, "\(accepted.text)")
            #expect(try await server.stored(key).executions == 1)
        }
    }

    @Test("unknown method → unimplemented 501", arguments: [
        "/tender.test.v1.TestService/Nope", "/tender.nothing.v1.Nothing/Echo", "/tender.test.v1.TestService/echo", "/",
    ])
    func unknownMethod(_ path: String) async throws {
        try await withTestServer { server in
            expectRefusal(try await server.transport.raw(path, body: "{}"), .unimplemented)
        }
    }

    @Test func missingTokenIsUnauthenticated() async throws {
        try await withTestServer { server in
            let key = uniqueKey("anon")
            let response = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "v")))
            expectRefusal(response, .unauthenticated)
            #expect(try await server.stored(key).executions == 0)
        }
    }

    /// Tokens (the whole `authorization` value) a server must not accept.
    enum BadCredential: String, CaseIterable, Sendable {
        case expired, expiredLongAgo, signedByAnotherKey, signedByAnotherKeyID, garbage, wrongAudience, startupWithoutOrg, notBearer, emptyBearer

        func header(trusted issuer: LocalTokenIssuer) async throws -> String {
            switch self {
            case .expired:
                return "Bearer " + (try await issuer.token(subject: "late", roles: [.officer], validFor: .seconds(1), now: Date().addingTimeInterval(-5)))
            case .expiredLongAgo:
                return "Bearer " + (try await issuer.token(subject: "late", roles: [.officer], validFor: .seconds(60), now: Date().addingTimeInterval(-86_400)))
            case .signedByAnotherKey:
                let forger = LocalTokenIssuer(audience: issuer.audience, keyID: issuer.keyID)
                return "Bearer " + (try await forger.token(subject: "mallory", roles: [.officer]))
            case .signedByAnotherKeyID:
                let stranger = LocalTokenIssuer(audience: issuer.audience, keyID: "elsewhere-1")
                return "Bearer " + (try await stranger.token(subject: "mallory", roles: [.officer]))
            case .garbage:
                return "Bearer not.a.jwt"
            case .wrongAudience:
                let other = try LocalTokenIssuer(seedBase64: issuer.seedBase64, audience: "another-system", keyID: issuer.keyID)
                return "Bearer " + (try await other.token(subject: "tester", roles: [.officer]))
            case .startupWithoutOrg:
                return "Bearer " + (try await issuer.token(subject: "startup", roles: [.startup, .officer]))
            case .notBearer:
                return "Basic dGVzdGVyOnNlY3JldA=="
            case .emptyBearer:
                return "Bearer "
            }
        }
    }

    @Test("a token that is not valid → unauthenticated 401", arguments: BadCredential.allCases)
    func badToken(_ credential: BadCredential) async throws {
        try await withTestServer { server in
            let key = uniqueKey("badtoken")
            let header = try await credential.header(trusted: server.backend.environment.issuer)
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")),
                headers: [("content-type", "application/json"), ("authorization", header)])
            expectRefusal(response, .unauthenticated)
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test("a role the method does not admit → permission_denied 403", arguments: [Role.startup, .auditor, .evaluator, .service])
    func roleNotAllowed(_ role: Role) async throws {
        try await withTestServer { server in
            let key = uniqueKey("role")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")), headers: jsonHeaders(token: try await server.token(role)))
            expectRefusal(response, .permissionDenied)
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test func typedClientSeesTheSameRefusals() async throws {
        try await withTestServer { server in
            let key = uniqueKey("typed")
            let put = PutRequest(key: key, value: "v")
            let anonymous = await #expect(throws: RPCError.self) { try await server.client().call(TestAPI.put, put) }
            #expect(anonymous?.code == .unauthenticated)
            let startupClient = server.client(token: try await server.token(.startup))
            let startup = await #expect(throws: RPCError.self) { try await startupClient.call(TestAPI.put, put) }
            #expect(startup?.code == .permissionDenied)
            let stored = try await server.stored(key)
            #expect(stored.executions == 0)
        }
    }

    @Test("connect-timeout-ms that is not 1 to 10 digits → invalid_argument", arguments: ["abc", "-1", "12345678901", "1.5", "1e3"])
    func invalidTimeoutHeader(_ value: String) async throws {
        try await withTestServer { server in
            let key = uniqueKey("timeout")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")),
                headers: jsonHeaders(token: try await server.token(.officer), ("connect-timeout-ms", value)))
            expectRefusal(response, .invalidArgument, fieldPath: "connect-timeout-ms")
            #expect(try await server.stored(key).executions == 0)
        }
    }

    @Test("an idempotency-key that is not 1 to 255 printable characters → invalid_argument", arguments: [
        String(repeating: "k", count: 256), "has space", "tab\tbed", "nøkkel",
    ])
    func invalidIdempotencyKey(_ value: String) async throws {
        try await withTestServer { server in
            let key = uniqueKey("idem")
            let response = try await server.transport.raw(
                TestAPI.put, body: try json(PutRequest(key: key, value: "v")),
                headers: jsonHeaders(token: try await server.token(.officer), ("idempotency-key", value)))
            expectRefusal(response, .invalidArgument, fieldPath: "idempotency-key")
            #expect(try await server.stored(key).executions == 0)
        }
    }

    /// Which refusal wins when a call is wrong in two ways: route, content type, deadline
    /// header, token, role, then body (cap, decoding).
    @Test func orderOfChecks() async throws {
        try await withTestServer(configuration: RPCServerConfiguration(maxRequestBodyBytes: 1024)) { server in
            let startup = try await server.token(.startup)
            let big = String(repeating: " ", count: 2000) + "{}"
            let transport = server.transport
            expectRefusal(try await transport.raw("/tender.test.v1.TestService/Nope", body: "x", headers: [("content-type", "text/plain")]), .unimplemented)
            expectRefusal(try await transport.raw(TestAPI.put, body: "x", headers: [("content-type", "text/plain")]), .invalidArgument, status: 415)
            expectRefusal(try await transport.raw(TestAPI.put, body: "x", headers: jsonHeaders(("connect-timeout-ms", "soon"))), .invalidArgument, fieldPath: "connect-timeout-ms")
            expectRefusal(try await transport.raw(TestAPI.put, body: "x"), .unauthenticated)
            expectRefusal(try await transport.raw(TestAPI.put, body: big), .unauthenticated)
            expectRefusal(try await transport.raw(TestAPI.put, body: "x", headers: jsonHeaders(token: startup)), .permissionDenied)
            expectRefusal(try await transport.raw(TestAPI.put, body: big, headers: jsonHeaders(token: startup)), .permissionDenied)
            expectRefusal(try await transport.raw(TestAPI.echo, body: big), .resourceExhausted)
        }
    }
}
