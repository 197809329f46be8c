import Foundation
import Messages
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// ``NGHTTP2ClientTransport`` over TLS with ALPN `h2`, against both engines with
/// ``RPC/RPCServerTLS`` and a throwaway PKI.
@Suite("nghttp2 client: TLS", .serialized)
struct ClientTLSTests {
    static let echo = EchoMessage(id: "tls-1", title: "Grünerløkka", amount: Money(ore: 7), tags: ["a"])

    func withTLSServer(_ engine: ServerEngine, _ body: (TestPKI, ClientTestBackend, Int) async throws -> Void) async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        try await withClientTestBackend { backend async throws in
            let tls = RPCServerTLS(certificateChainPath: pki.serverCertificate, privateKeyPath: pki.serverKey)
            switch engine {
            case .hummingbird:
                try await backend.withHummingbird(tls: tls) { port async throws in try await body(pki, backend, port) }
            case .nghttp2:
                let (server, port) = try await backend.startNGHTTP2(tls: tls)
                let result = await Result(catching: { try await body(pki, backend, port) })
                await server.shutdown()
                try result.get()
            }
        }
    }

    @Test("https by name and by IP address (with the expected name given, and without: the IP SAN)", arguments: ServerEngine.allCases)
    func echoOverTLS(engine: ServerEngine) async throws {
        try await withTLSServer(engine) { pki, _, port async throws in
            for (url, tls) in [
                ("https://localhost:\(port)", ClientTLS(trustRootsPath: pki.caCertificate)),
                ("https://127.0.0.1:\(port)", ClientTLS(trustRootsPath: pki.caCertificate, serverHostname: "localhost")),
                ("https://127.0.0.1:\(port)", ClientTLS(trustRootsPath: pki.caCertificate)),
            ] {
                try await using(try NGHTTP2ClientTransport(url: url, tls: tls, logger: EngineServer.logger)) { transport async throws in
                    let answer = try await rpcClient(transport).call(TestAPI.echo, Self.echo)
                    #expect(answer == Self.echo, "\(url)")
                    let raw = try await transport.raw(TestAPI.echo.path, body: #"{"id":"x","title":"t","amount":1,"tags":[]}"#)
                    #expect(raw.status == 200, "\(url)")
                    #expect(raw.text == #"{"amount":1,"id":"x","tags":[],"title":"t"}"#, "\(url)")
                }
            }
        }
    }

    @Test("a client that does not trust the server's CA fails with unavailable, promptly", arguments: ServerEngine.allCases)
    func untrustedServerIsUnavailable(engine: ServerEngine) async throws {
        try await withTLSServer(engine) { pki, backend, port async throws in
            let started = ContinuousClock.now
            // (A wrong `serverHostname` is no test here: NIOSSL also accepts the certificate's
            // IP entry matching the connected address, and this one carries 127.0.0.1.)
            try await using(try NGHTTP2ClientTransport(
                url: "https://localhost:\(port)", tls: ClientTLS(trustRootsPath: pki.untrustedCACertificate), logger: EngineServer.logger
            )) { transport async throws in
                let error = await #expect(throws: RPCError.self) { try await rpcClient(transport).call(TestAPI.echo, Self.echo) }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("cannot connect") == true, "\(String(describing: error))")
            }
            #expect(started.duration(to: .now) < .seconds(20))
            // Cleartext HTTP/2 to the TLS listener gets nowhere either.
            try await using(try NGHTTP2ClientTransport(url: "http://127.0.0.1:\(port)", logger: EngineServer.logger)) { transport async throws in
                let error = await #expect(throws: RPCError.self) { try await rpcClient(transport).call(TestAPI.echo, Self.echo) }
                #expect(error?.code == .unavailable)
            }
            #expect(try await backend.stats().sleepsStarted == 0)
        }
    }
}
