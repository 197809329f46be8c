import Foundation
import Messages
import RPCNGHTTP2
import Testing
import TestServiceKit

/// The engine against independent HTTP/2 peers (curl, nghttp, h2load), so it is never only
/// checked against our own client.
@Suite("nghttp2 engine: curl, nghttp and h2load", .enabled(if: ["curl", "nghttp", "h2load"].allSatisfy(Command.isInstalled)))
struct InteropTests {
    static let request = #"{ "title": "Brøyting / vinter", "id": "t-1", "tags": ["snø", "veg"], "amount": 150000050, "org": "923 609 016" }"#
    static let response = #"{"amount":150000050,"id":"t-1","org":"923609016","tags":["snø","veg"],"title":"Brøyting / vinter"}"#

    @Test func curlWithPriorKnowledge() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let file = try Command.temporaryFile(Self.request)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let ok = try await Command.run("curl", ["-s", "-S", "-i", "--http2-prior-knowledge", "--max-time", "20", "-H", "content-type: application/json",
                                                         "--data-binary", "@" + file, server.url + TestAPI.echo.path])
            #expect(ok.exitCode == 0, "\(ok.transcript)")
            #expect(ok.stdoutText.hasPrefix("HTTP/2 200"), "\(ok.transcript)")
            #expect(ok.stdoutText.hasSuffix("\r\n\r\n" + Self.response), "\(ok.transcript)")
            #expect(ok.stdoutText.lowercased().contains("x-request-id: "))

            let refused = try await Command.run("curl", ["-s", "-S", "-i", "--http2-prior-knowledge", "--max-time", "20", "-H", "content-type: text/plain",
                                                              "--data-binary", "@" + file, server.url + TestAPI.echo.path])
            #expect(refused.stdoutText.hasPrefix("HTTP/2 415"), "\(refused.transcript)")
            #expect(refused.stdoutText.hasSuffix(#"{"code":"invalid_argument","message":"content-type must be application/json"}"#), "\(refused.transcript)")
        }
    }

    @Test func nghttpRepeatedOnOneConnection() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let file = try Command.temporaryFile(Self.request)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let result = try await Command.run("nghttp", ["-t", "20", "-m", "50", "-H", ":method: POST", "-H", "content-type: application/json",
                                                              "-d", file, server.url + TestAPI.echo.path])
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdoutText == String(repeating: Self.response, count: 50), "\(result.transcript)")
        }
    }

    @Test func h2loadManyStreamsAllSucceed() async throws {
        try await withEngineServer { (server: EngineServer) async throws in
            let file = try Command.temporaryFile(Self.request)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let result = try await Command.run("h2load", ["-n", "2000", "-c", "2", "-m", "32", "-H", "content-type: application/json",
                                                              "-d", file, server.url + TestAPI.echo.path])
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdoutText.contains("status codes: 2000 2xx"), "\(result.transcript)")
        }
    }
}
