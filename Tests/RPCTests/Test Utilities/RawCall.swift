import Foundation
import HTTPTypes
import Messages
import NIOCore
import RPC
import Testing

/// A response as it came off the wire, for checks the typed client hides: the HTTP status,
/// headers such as `idempotent-replayed`, and the exact body bytes.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: ByteBuffer

    var text: String { String(buffer: body) }

    /// The value of header `name`, nil when absent.
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    /// The Connect error in the body, when the body is one.
    var error: RPCError? {
        guard Wire.isJSON(headers[.contentType]) else { return nil }
        return try? JSONCoding.decoder().decode(RPCError.self, from: Data(text.utf8))
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decoder().decode(type, from: Data(text.utf8))
    }
}

extension ClientTransport {
    /// Sends one request exactly as given — no retries, no header the caller did not write
    /// except what HTTP/2 itself needs. `headers` defaults to a JSON content type.
    func raw(
        _ path: String, body: String, headers: [(String, String)] = [("content-type", "application/json")],
        timeout: Duration = .seconds(15)
    ) async throws -> RawResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let response = try await send(ClientRequest(path: path, headers: fields, body: ByteBuffer(string: body), deadline: .now.advanced(by: timeout)))
        return RawResponse(status: response.status, headers: response.headers, body: response.body)
    }

    func raw<Request, Response>(
        _ method: Method<Request, Response>, body: String, headers: [(String, String)] = [("content-type", "application/json")],
        timeout: Duration = .seconds(15)
    ) async throws -> RawResponse {
        try await raw(method.path, body: body, headers: headers, timeout: timeout)
    }
}

/// The headers of a JSON call with a bearer token.
func jsonHeaders(token: String? = nil, _ extra: (String, String)...) -> [(String, String)] {
    var headers = [("content-type", "application/json")]
    if let token { headers.append(("authorization", "Bearer \(token)")) }
    return headers + extra
}

/// The JSON of `value` as the wire carries it.
func json(_ value: some Encodable) throws -> String {
    String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
}

/// Checks that `response` is the Connect error `code` with its HTTP status (or `status`,
/// where the protocol prescribes another one), a JSON body and, when given, the field path.
func expectRefusal(
    _ response: RawResponse, _ code: ErrorCode, status: Int? = nil, fieldPath: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status ?? code.httpStatus, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    let error = response.error
    #expect(error?.code == code, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(error?.message.isEmpty == false, sourceLocation: sourceLocation)
    if let fieldPath {
        #expect(error?.fieldPath == fieldPath, "body: \(response.text)", sourceLocation: sourceLocation)
    }
}
