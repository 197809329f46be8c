import Foundation
import Messages
import RPC
import ServiceKit
import Testing
import TestServiceKit

/// The wire protocol (DESIGN.md §2) over h2c with prior knowledge, between real processes:
/// our client, curl and nghttp send the same bytes to a running `tender-testservice` and
/// must get the same status and byte-identical JSON back.
@Suite("Interop over h2c: our client, curl and nghttp", .serialized)
struct InteropTests {
    /// Not canonical on purpose: spaces, unsorted keys, an organisation number with spaces.
    static let echoRequest = Data(#"{ "title": "Brøyting / vinter", "id": "t-1", "tags": ["snø", "veg"], "amount": 150000050, "org": "923 609 016" }"#.utf8)
    /// What the server must answer: sorted keys, no whitespace, `/` unescaped, the
    /// organisation number normalised.
    static let echoResponse = Data(#"{"amount":150000050,"id":"t-1","org":"923609016","tags":["snø","veg"],"title":"Brøyting / vinter"}"#.utf8)

    @Test("Echo: status 200 and byte-identical canonical JSON from all three clients")
    func echo() async throws {
        try await withTestService("interop-echo") { _, service in
            let url = service.url + TestAPI.echo.path
            #expect(service.log.contains { $0.contains(#""message":"listening""#) && $0.contains(#""engine":"\#(RPCEngine.fromEnvironment.rawValue)""#) },
                    "the service does not report the \(RPCEngine.fromEnvironment) engine")
            try await withOurClient(service.url) { ours in
                let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                #expect(result.failure == nil, "our client: \(String(describing: result.failure))")
                #expect(result.success == Self.echoResponse)
                #expect(response?.status == 200)
                #expect(response?.body == Self.echoResponse)

                // The typed call decodes the same response into the shared message type.
                let typed = try await ours.client.call(TestAPI.echo, EchoMessage(
                    id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923 609 016")))
                #expect(typed == EchoMessage(
                    id: "t-1", title: "Brøyting / vinter", amount: Money(ore: 150000050), tags: ["snø", "veg"], org: OrgNumber("923609016")))
            }

            let curlResult = try await Curl.post(url, body: Self.echoRequest, options: ["--http2-prior-knowledge"])
            let curl = try Curl.exchange(curlResult)
            #expect(curl.version == "HTTP/2", "curl did not speak HTTP/2:\n\(curlResult.transcript)")
            #expect(curl.status == 200)
            #expect(curl.body == Self.echoResponse, "curl body: \(curl.bodyText)")

            let nghttpResult = try await Nghttp.post(url, body: Self.echoRequest)
            let nghttp = try Nghttp.exchange(nghttpResult)
            #expect(nghttp.status == 200, "\(nghttpResult.transcript)")
            #expect(nghttp.body == Self.echoResponse, "nghttp body: \(nghttp.bodyText)\n\(nghttpResult.transcript)")
        }
    }

    @Test("Errors: the same status and byte-identical Connect error body from all three clients")
    func errors() async throws {
        struct Case {
            var label: String
            var method: MethodDescriptor
            var body: String
            var status: Int
            var code: ErrorCode
            var fieldPath: String?
        }
        let unknownMethod = MethodDescriptor(service: TestAPI.service, name: "NoSuchMethod", kind: .idempotent, access: .everyone)
        let cases = [
            Case(label: "malformed JSON", method: TestAPI.echo.descriptor, body: #"{"id": "t-1", "title": "#,
                 status: 400, code: .invalidArgument, fieldPath: ""),
            Case(label: "wrong type deep in the body", method: TestAPI.echo.descriptor,
                 body: #"{"id":"t-1","title":"x","amount":1,"tags":["a",7]}"#, status: 400, code: .invalidArgument, fieldPath: "tags[1]"),
            Case(label: "missing field", method: TestAPI.echo.descriptor,
                 body: #"{"id":"t-1","amount":1,"tags":[]}"#, status: 400, code: .invalidArgument, fieldPath: "title"),
            Case(label: "no token for a method that needs a role", method: TestAPI.put.descriptor,
                 body: #"{"key":"k","value":"v"}"#, status: 401, code: .unauthenticated),
            Case(label: "unknown method", method: unknownMethod, body: "{}", status: 501, code: .unimplemented),
        ]
        try await withTestService("interop-errors") { _, service in
            try await withOurClient(service.url) { ours in
                for item in cases {
                    let body = Data(item.body.utf8)
                    let url = service.url + item.method.path

                    let (result, response) = await ours.raw(item.method, body: body)
                    let error = try #require(result.failure, "\(item.label): our client succeeded")
                    #expect(error.code == item.code, "\(item.label): \(error)")
                    if let path = item.fieldPath { #expect(error.fieldPath == path, "\(item.label): \(error.details)") }
                    let ourResponse = try #require(response, "\(item.label): our client got no response")
                    #expect(ourResponse.status == item.status, "\(item.label)")
                    let decoded = try decodeError(ourResponse.body)
                    #expect(decoded == error, "\(item.label): the body our client received is the error it threw")

                    let curlResult = try await Curl.post(url, body: body, options: ["--http2-prior-knowledge"])
                    let curl = try Curl.exchange(curlResult)
                    #expect(curl.version == "HTTP/2")
                    #expect(curl.status == item.status, "\(item.label): \(curlResult.transcript)")
                    #expect(curl.body == ourResponse.body, "\(item.label): curl \(curl.bodyText) ≠ ours \(ourResponse.bodyText)")

                    let nghttpResult = try await Nghttp.post(url, body: body)
                    let nghttp = try Nghttp.exchange(nghttpResult)
                    #expect(nghttp.status == item.status, "\(item.label): \(nghttpResult.transcript)")
                    #expect(nghttp.body == ourResponse.body, "\(item.label): nghttp \(nghttp.bodyText) ≠ ours \(ourResponse.bodyText)")
                }
            }

            // Not JSON at all: 415 for the external clients (ours always sends JSON).
            let url = service.url + TestAPI.echo.path
            let body = Data(Self.echoRequest)
            let curl = try Curl.exchange(try await Curl.post(url, body: body, headers: ["content-type: text/plain"], options: ["--http2-prior-knowledge"]))
            #expect(curl.status == 415, "\(curl)")
            #expect(try decodeError(curl.body).code == .invalidArgument)
            let nghttp = try Nghttp.exchange(try await Nghttp.post(url, body: body, headers: ["content-type: text/plain"]))
            #expect(nghttp.status == 415, "\(nghttp)")
            #expect(nghttp.body == curl.body)
        }
    }

    @Test("Authenticated calls: a bearer token works the same from curl, nghttp and our client")
    func authenticated() async throws {
        try await withTestService("interop-auth") { env, service in
            let officer = try await env.token(.officer)
            let auditor = try await env.token(.auditor)
            let putURL = service.url + TestAPI.put.path
            let bearer = "authorization: Bearer \(officer)"

            // Each client's Put reaches the same handler and the same row: executions counts up.
            let curlPut = try Curl.exchange(try await Curl.post(
                putURL, body: Data(#"{"key":"shared","value":"from curl"}"#.utf8), headers: [bearer], options: ["--http2-prior-knowledge"]))
            #expect(curlPut.version == "HTTP/2")
            #expect(curlPut.status == 200, "\(curlPut)")
            #expect(curlPut.bodyText == #"{"executions":1,"key":"shared"}"#)

            let nghttpPut = try Nghttp.exchange(try await Nghttp.post(
                putURL, body: Data(#"{"key":"shared","value":"from nghttp"}"#.utf8), headers: [bearer]))
            #expect(nghttpPut.status == 200, "\(nghttpPut)")
            #expect(nghttpPut.bodyText == #"{"executions":2,"key":"shared"}"#)

            try await withOurClient(service.url) { ours in
                let put = try await ours.client.call(TestAPI.put, PutRequest(key: "shared", value: "from ours"), options: CallOptions(token: officer))
                #expect(put == PutResponse(key: "shared", executions: 3))
                let get = try await ours.client.call(TestAPI.get, GetRequest(key: "shared"), options: CallOptions(token: auditor))
                #expect(get == GetResponse(value: "from ours", executions: 3))
            }

            // The same read from curl, and a role that may not write.
            let curlGet = try Curl.exchange(try await Curl.post(
                service.url + TestAPI.get.path, body: Data(#"{"key":"shared"}"#.utf8),
                headers: ["authorization: Bearer \(auditor)"], options: ["--http2-prior-knowledge"]))
            #expect(curlGet.status == 200)
            #expect(curlGet.bodyText == #"{"executions":3,"value":"from ours"}"#)

            let denied = try Curl.exchange(try await Curl.post(
                putURL, body: Data(#"{"key":"shared","value":"auditor"}"#.utf8),
                headers: ["authorization: Bearer \(auditor)"], options: ["--http2-prior-knowledge"]))
            #expect(denied.status == 403)
            #expect(try decodeError(denied.body).code == .permissionDenied)

            let forged = try Curl.exchange(try await Curl.post(
                putURL, body: Data(#"{"key":"shared","value":"forged"}"#.utf8),
                headers: ["authorization: Bearer \(officer.dropLast(4))AAAA"], options: ["--http2-prior-knowledge"]))
            #expect(forged.status == 401)
            #expect(try decodeError(forged.body).code == .unauthenticated)
        }
    }
}
