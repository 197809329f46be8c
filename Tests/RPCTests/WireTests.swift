import Foundation
import HTTPTypes
import Messages
import NIOCore
import RPC
import Testing
import TestServiceKit

/// The per-call pieces written for speed (byte-level content type check, request and trace
/// ids from a fast generator) must keep the meaning of what they replaced.
@Suite("Wire details")
struct WireTests {
    @Test("application/json is recognised with parameters, blanks and any letter case; nothing else is",
          arguments: [
              ("application/json", true), ("application/json; charset=utf-8", true), ("  Application/JSON ;charset=UTF-8", true),
              ("APPLICATION/JSON", true), ("application/json\t", true), ("application/json;", true),
              ("application/jsonx", false), ("application/json-seq", false), ("text/json", false), ("application/jso", false),
              ("", false), (";application/json", false), ("application /json", false), ("application/grpc+json", false),
          ])
    func contentType(_ value: String, _ isJSON: Bool) {
        #expect(Wire.isJSON(value) == isJSON, "\(value)")
    }

    @Test func noContentTypeIsNotJSON() {
        #expect(!Wire.isJSON(nil))
    }

    /// Request ids a server makes are version-4 UUIDs in lowercase text; trace ids are 32
    /// and span ids 16 lowercase hex digits, never all zero; none repeats.
    @Test func generatedIDsHaveTheirFormatsAndDoNotRepeat() async throws {
        try await withTestBackend { backend in
            var requestIDs = Set<String>()
            var traceIDs = Set<String>()
            let uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
            for _ in 0..<200 {
                let response = try await InProcessTransport(dispatcher: backend.dispatcher).send(ClientRequest(
                    path: TestAPI.echo.path, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"id":"1","title":"t","amount":1,"tags":[],"org":"923609016"}"#),
                    deadline: .now.advanced(by: .seconds(30))))
                let id = try #require(response.headers[.requestID])
                #expect(id.wholeMatch(of: uuid) != nil, "request id \(id)")
                requestIDs.insert(id)
            }
            for _ in 0..<1000 {
                let trace = TraceContext.newTrace()
                #expect(trace.traceID.wholeMatch(of: /^[0-9a-f]{32}$/) != nil && trace.spanID.wholeMatch(of: /^[0-9a-f]{16}$/) != nil)
                #expect(trace.traceID.contains { $0 != "0" } && trace.spanID.contains { $0 != "0" })
                #expect(TraceContext(traceparent: trace.traceparent) == trace)
                traceIDs.insert(trace.traceID)
            }
            #expect(requestIDs.count == 200)
            #expect(traceIDs.count == 1000)
        }
    }
}
