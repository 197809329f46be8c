import Foundation
import Messages
import RPC
import ServiceKit
import Testing
import TestServiceKit

/// HTTP/2 over TLS (ALPN `h2`) and mutual TLS between real processes, with a throwaway PKI
/// made by the `openssl` CLI: `RPC_TLS_CERTIFICATE`/`RPC_TLS_KEY` turn TLS on,
/// `RPC_TLS_CLIENT_CA` requires client certificates and ties a `service` token's `sub` to
/// the certificate's name.
@Suite("TLS and mutual TLS: our client, curl and nghttp", .serialized)
struct TLSTests {
    static let echoRequest = InteropTests.echoRequest
    static let echoResponse = InteropTests.echoResponse

    /// Runs `body` with a fresh PKI and a service using its server certificate; with
    /// `mutual`, client certificates from the test CA are required.
    func withTLSService(_ name: String, mutual: Bool, _ body: (TestPKI, TestEnvironment, ServiceProcess) async throws -> Void) async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        var extra = ["RPC_TLS_CERTIFICATE": pki.serverCertificate, "RPC_TLS_KEY": pki.serverKey]
        if mutual { extra["RPC_TLS_CLIENT_CA"] = pki.caCertificate }
        try await withTestService(name, extra: extra) { env, service in
            let engine = #""engine":"\#(RPCEngine.fromEnvironment.rawValue)""#
            #expect(service.log.contains { $0.contains(#""message":"listening""#) && $0.contains(#""tls":"true""#) && $0.contains(engine) },
                    "the service does not report TLS on the \(RPCEngine.fromEnvironment) engine:\n\(service.log.joined(separator: "\n"))")
            try await body(pki, env, service)
        }
    }

    // MARK: Server TLS

    @Test("TLS: our client, curl and nghttp negotiate h2 and get the same echo")
    func serverTLS() async throws {
        try await withTLSService("tls-echo", mutual: false) { pki, _, service in
            let port = service.rpcPort
            let path = TestAPI.echo.path

            // Our client, by IP with the expected name given, and by name.
            for (url, tls) in [
                ("https://127.0.0.1:\(port)", ClientTLS(trustRootsPath: pki.caCertificate, serverHostname: "localhost")),
                ("https://localhost:\(port)", ClientTLS(trustRootsPath: pki.caCertificate)),
            ] {
                try await withOurClient(url, tls: tls) { ours in
                    let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                    #expect(result.failure == nil, "\(url): \(String(describing: result.failure))")
                    #expect(result.success == Self.echoResponse, "\(url)")
                    #expect(response?.status == 200, "\(url)")
                }
            }

            // curl checks the chain against the test CA; HTTP/2 over TLS is only used when
            // ALPN selected h2, so the `HTTP/2` status line proves the negotiation.
            let curlResult = try await Curl.post("https://localhost:\(port)" + path, body: Self.echoRequest,
                                                 options: ["--http2", "--cacert", pki.caCertificate])
            let curl = try Curl.exchange(curlResult)
            #expect(curl.version == "HTTP/2", "curl did not negotiate h2:\n\(curlResult.transcript)")
            #expect(curl.status == 200)
            #expect(curl.body == Self.echoResponse, "curl body: \(curl.bodyText)")

            // nghttp speaks only h2 (ALPN); it does not insist on the chain, which is fine here.
            let nghttpResult = try await Nghttp.post("https://localhost:\(port)" + path, body: Self.echoRequest)
            let nghttp = try Nghttp.exchange(nghttpResult)
            #expect(nghttp.status == 200, "\(nghttpResult.transcript)")
            #expect(nghttp.body == Self.echoResponse, "nghttp body: \(nghttp.bodyText)\n\(nghttpResult.transcript)")

            // The listener is TLS only: cleartext HTTP/2 gets nowhere.
            let cleartext = try await Curl.post(service.url + path, body: Self.echoRequest, options: ["--http2-prior-knowledge"])
            #expect(cleartext.exitCode != 0, "h2c reached a TLS listener:\n\(cleartext.transcript)")
            try await withOurClient(service.url, retryPolicy: .none) { ours in
                let (result, _) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                #expect(result.failure?.code == .unavailable, "\(result)")
            }
        }
    }

    @Test("TLS: an https URL with an IP address is checked against the certificate's IP SAN")
    func serverTLSByIPAddress() async throws {
        try await withTLSService("tls-ip", mutual: false) { pki, _, service in
            // The server certificate carries IP:127.0.0.1, so no server name is needed: the
            // client must not send the IP literal as SNI (NIOSSL refuses that) but let NIOSSL
            // check the IP SAN against the peer address.
            try await withOurClient("https://127.0.0.1:\(service.rpcPort)", tls: ClientTLS(trustRootsPath: pki.caCertificate), retryPolicy: .none) { ours in
                let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                #expect(result.failure == nil, "connecting by IP address failed: \(String(describing: result.failure))")
                #expect(response?.body == Self.echoResponse)
            }
            let curl = try Curl.exchange(try await Curl.post(
                "https://127.0.0.1:\(service.rpcPort)" + TestAPI.echo.path, body: Self.echoRequest,
                options: ["--http2", "--cacert", pki.caCertificate]))
            #expect(curl.version == "HTTP/2")
            #expect(curl.body == Self.echoResponse)
        }
    }

    @Test("TLS: a client that does not trust the server's CA refuses the connection")
    func untrustedServer() async throws {
        try await withTLSService("tls-untrusted", mutual: false) { pki, _, service in
            let url = "https://127.0.0.1:\(service.rpcPort)"
            // No "wrong server name" case: NIOSSL also accepts a certificate whose IP SAN equals
            // the peer's address, whatever serverHostname says, and this one names 127.0.0.1.
            for (label, tls) in [
                ("another CA", ClientTLS(trustRootsPath: pki.untrustedCACertificate, serverHostname: "localhost")),
                ("system roots", ClientTLS(serverHostname: "localhost")),
            ] {
                try await withOurClient(url, tls: tls) { ours in
                    let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                    #expect(result.failure?.code == .unavailable, "\(label): \(result)")
                    #expect(response == nil, "\(label): a response arrived over an untrusted connection")
                }
            }

            let noCA = try await Curl.post("https://localhost:\(service.rpcPort)" + TestAPI.echo.path, body: Self.echoRequest, options: ["--http2"])
            #expect(noCA.exitCode != 0, "curl accepted a certificate from an unknown CA:\n\(noCA.transcript)")
            #expect(!noCA.stdoutText.contains("HTTP/2 200"))
            let otherCA = try await Curl.post("https://localhost:\(service.rpcPort)" + TestAPI.echo.path, body: Self.echoRequest,
                                              options: ["--http2", "--cacert", pki.untrustedCACertificate])
            #expect(otherCA.exitCode != 0, "curl accepted the server with the wrong CA:\n\(otherCA.transcript)")
        }
    }

    // MARK: Mutual TLS

    @Test("Mutual TLS: only a client certificate from the configured CA gets in")
    func mutualTLS() async throws {
        try await withTLSService("mtls", mutual: true) { pki, _, service in
            let url = "https://127.0.0.1:\(service.rpcPort)"
            let curlURL = "https://localhost:\(service.rpcPort)" + TestAPI.echo.path
            let trusted = ClientTLS(trustRootsPath: pki.caCertificate, certificateChainPath: pki.clientCertificate,
                                    privateKeyPath: pki.clientKey, serverHostname: "localhost")
            let untrusted = ClientTLS(trustRootsPath: pki.caCertificate, certificateChainPath: pki.untrustedClientCertificate,
                                      privateKeyPath: pki.untrustedClientKey, serverHostname: "localhost")

            // With the certificate from the test CA.
            try await withOurClient(url, tls: trusted) { ours in
                let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                #expect(result.failure == nil, "\(String(describing: result.failure))")
                #expect(response?.status == 200)
                #expect(response?.body == Self.echoResponse)
            }
            let curlResult = try await Curl.post(curlURL, body: Self.echoRequest, options: [
                "--http2", "--cacert", pki.caCertificate, "--cert", pki.clientCertificate, "--key", pki.clientKey])
            let curl = try Curl.exchange(curlResult)
            #expect(curl.version == "HTTP/2", "\(curlResult.transcript)")
            #expect(curl.status == 200)
            #expect(curl.body == Self.echoResponse)
            let nghttpResult = try await Nghttp.post(curlURL, body: Self.echoRequest, options: ["--cert", pki.clientCertificate, "--key", pki.clientKey])
            let nghttp = try Nghttp.exchange(nghttpResult)
            #expect(nghttp.status == 200, "\(nghttpResult.transcript)")
            #expect(nghttp.body == Self.echoResponse)

            // Without a client certificate, and with one from a CA the server does not trust.
            for (label, tls) in [("no certificate", ClientTLS(trustRootsPath: pki.caCertificate, serverHostname: "localhost")),
                                 ("untrusted CA", untrusted)] {
                try await withOurClient(url, tls: tls) { ours in
                    let (result, response) = await ours.raw(TestAPI.echo.descriptor, body: Self.echoRequest)
                    #expect(result.failure?.code == .unavailable, "\(label): \(result)")
                    #expect(response == nil, "\(label): the server answered")
                }
            }
            for (label, options) in [
                ("no certificate", ["--http2", "--cacert", pki.caCertificate]),
                ("untrusted CA", ["--http2", "--cacert", pki.caCertificate, "--cert", pki.untrustedClientCertificate, "--key", pki.untrustedClientKey]),
            ] {
                let refused = try await Curl.post(curlURL, body: Self.echoRequest, options: options)
                #expect(refused.exitCode != 0, "curl with \(label) got in:\n\(refused.transcript)")
                #expect(!refused.stdoutText.contains("HTTP/2 200"), "curl with \(label):\n\(refused.transcript)")
            }
            for (label, options) in [("no certificate", [String]()),
                                     ("untrusted CA", ["--cert", pki.untrustedClientCertificate, "--key", pki.untrustedClientKey])] {
                let refused = try await Nghttp.post(curlURL, body: Self.echoRequest, options: options)
                #expect(!refused.stdoutText.contains(":status: 200"), "nghttp with \(label) got in:\n\(refused.transcript)")
            }
        }
    }

    @Test("Mutual TLS: a service token's sub must be named by the client certificate")
    func serviceIdentityMatch() async throws {
        try await withTLSService("mtls-identity", mutual: true) { pki, env, service in
            let url = "https://127.0.0.1:\(service.rpcPort)"
            let certificate = ClientTLS(trustRootsPath: pki.caCertificate, certificateChainPath: pki.clientCertificate,
                                        privateKeyPath: pki.clientKey, serverHostname: "localhost")
            let matching = try await env.issuer.token(subject: TestPKI.clientName, roles: [.service])
            let other = try await env.issuer.token(subject: "someone-else", roles: [.service])
            let curlOptions = ["--http2", "--cacert", pki.caCertificate, "--cert", pki.clientCertificate, "--key", pki.clientKey]
            let recordURL = "https://localhost:\(service.rpcPort)" + TestAPI.record.path

            try await withOurClient(url, tls: certificate) { ours in
                // Certificate CN/SAN tender-records, token sub tender-records: admitted.
                let accepted = try await ours.client.call(TestAPI.record, RecordRequest(eventID: "ev-1"), options: CallOptions(token: matching))
                #expect(accepted.index == 0)

                // Same certificate, a service token for someone else: refused before the handler.
                let (result, response) = await ours.raw(TestAPI.record.descriptor, body: Data(#"{"delayMilliseconds":0,"eventID":"ev-2"}"#.utf8), token: other)
                #expect(result.failure?.code == .permissionDenied, "\(result)")
                #expect(response?.status == 403)

                // A person's token is not tied to the certificate.
                let officer = try await env.token(.officer, subject: "someone-else")
                let put = try await ours.client.call(TestAPI.put, PutRequest(key: "k", value: "v"), options: CallOptions(token: officer))
                #expect(put.executions == 1)
            }

            let curlAccepted = try Curl.exchange(try await Curl.post(
                recordURL, body: Data(#"{"delayMilliseconds":0,"eventID":"ev-3"}"#.utf8),
                headers: ["authorization: Bearer \(matching)"], options: curlOptions))
            #expect(curlAccepted.status == 200, "\(curlAccepted)")
            #expect(curlAccepted.bodyText == #"{"index":1}"#)
            let curlDenied = try Curl.exchange(try await Curl.post(
                recordURL, body: Data(#"{"delayMilliseconds":0,"eventID":"ev-4"}"#.utf8),
                headers: ["authorization: Bearer \(other)"], options: curlOptions))
            #expect(curlDenied.status == 403, "\(curlDenied)")
            #expect(try decodeError(curlDenied.body).code == .permissionDenied)

            // Only the admitted calls reached the handler.
            try await withOurClient(url, tls: certificate) { ours in
                let stats = try await ours.client.call(TestAPI.stats, StatsRequest())
                #expect(stats.recorded == ["ev-1", "ev-3"])
                #expect(stats.recordExecutions == 2)
            }
        }
    }
}
