import Foundation
import HTTPTypes
import Messages
import NIOCore
import RPC
import Testing

/// A response as it came off the wire: status, headers and body bytes, which the typed
/// client hides.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: ByteBuffer

    var text: String { String(buffer: body) }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    var error: RPCError? {
        guard Wire.isJSON(headers[.contentType]) else { return nil }
        return try? JSONCoding.decoder().decode(RPCError.self, from: Data(text.utf8))
    }
}

extension ClientTransport {
    /// Sends one request exactly as given: no retries, no header the caller did not write
    /// except what HTTP/2 needs.
    func raw(_ path: String, body: String, headers: [(String, String)] = [("content-type", "application/json")]) async throws -> RawResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let response = try await send(ClientRequest(path: path, headers: fields, body: ByteBuffer(string: body), deadline: .now.advanced(by: .seconds(15))))
        return RawResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

func jsonHeaders(token: String? = nil, _ extra: (String, String)...) -> [(String, String)] {
    var headers = [("content-type", "application/json")]
    if let token { headers.append(("authorization", "Bearer \(token)")) }
    return headers + extra
}

/// Checks that `response` is the Connect error `code` with its HTTP status (or `status`),
/// a JSON body and, when given, the field path.
func expectRefusal(
    _ response: RawResponse, _ code: ErrorCode, status: Int? = nil, fieldPath: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status ?? code.httpStatus, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    #expect(response.error?.code == code, "body: \(response.text)", sourceLocation: sourceLocation)
    if let fieldPath {
        #expect(response.error?.fieldPath == fieldPath, "body: \(response.text)", sourceLocation: sourceLocation)
    }
}
