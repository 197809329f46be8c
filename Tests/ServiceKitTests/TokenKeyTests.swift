import Crypto
import Foundation
import JWTKit
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Testing

/// The identity provider's keys as a service reads them from files: JWKS documents and PEM
/// public keys, EdDSA and ES256 (DESIGN.md §3).
@Suite("Token keys from files")
struct TokenKeyTests {
    @Test("ES256 and EdDSA PEM keys and a JWKS file verify their tokens; a wrong key or audience does not")
    func keySources() async throws {
        let env = try TestEnvironment(name: "keys")
        defer { env.remove() }
        let es256 = ES256PrivateKey()
        try es256.publicKey.pemRepresentation.write(toFile: env.directory + "/idp-es.pem", atomically: true, encoding: .utf8)
        let ed25519 = Curve25519.Signing.PrivateKey()
        try EdDSA.PublicKey(backing: ed25519.publicKey).pemRepresentation.write(toFile: env.directory + "/idp-ed.pem", atomically: true, encoding: .utf8)
        let jwksIssuer = LocalTokenIssuer(audience: "tenderdialogue", keyID: "idp-jwks")
        try jwksIssuer.jwksJSON.write(toFile: env.directory + "/idp.jwks.json", atomically: true, encoding: .utf8)

        var serviceEnv = try env.serviceEnvironment(name: "svc", extra: [
            "AUTH_PUBLIC_KEY_FILES": env.directory + "/idp-es.pem," + env.directory + "/idp-ed.pem",
            "AUTH_JWKS_FILE": env.directory + "/idp.jwks.json",
        ])
        serviceEnv["AUTH_LOCAL_ISSUER_KEY_FILE"] = ""
        let service = try await ServiceProcess.start(environment: serviceEnv)
        defer { Task { await service.terminate() } }
        let client = RPCClient(transport: try HTTP2ClientTransport(url: service.url), retryPolicy: .none)
        func put(_ token: String) async -> ErrorCode? {
            do {
                _ = try await client.call(TestAPI.put, PutRequest(key: "k", value: "v"), options: .init(token: token))
                return nil
            } catch {
                return error.code
            }
        }
        func token(signedBy key: some JWTAlgorithmKey, kid: String?, audience: String = "tenderdialogue") async throws -> String {
            let keys = JWTKeyCollection()
            let claims = TokenClaims(subject: "kari", roles: ["officer"], organisation: nil, audience: audience, expires: Date().addingTimeInterval(600))
            switch key {
            case let key as ES256PrivateKey: await keys.add(ecdsa: key, kid: kid.map { JWKIdentifier(string: $0) })
            case let key as EdDSA.PrivateKey: await keys.add(eddsa: key, kid: kid.map { JWKIdentifier(string: $0) })
            default: Issue.record("unexpected key type")
            }
            return try await keys.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
        }

        #expect(await put(try await token(signedBy: es256, kid: "idp-es")) == nil, "ES256 via PEM, by kid")
        #expect(await put(try await token(signedBy: EdDSA.PrivateKey(backing: ed25519), kid: "idp-ed")) == nil, "EdDSA via PEM, by kid")
        #expect(await put(try await token(signedBy: es256, kid: nil)) == nil, "no kid: the first PEM key")
        #expect(await put(try await jwksIssuer.token(subject: "kari", roles: [.officer])) == nil, "EdDSA via JWKS")

        #expect(await put(try await token(signedBy: ES256PrivateKey(), kid: "idp-es")) == .unauthenticated, "another ES256 key under a known kid")
        #expect(await put(try await token(signedBy: ES256PrivateKey(), kid: "idp-unknown")) == .unauthenticated, "an untrusted key under an unknown kid")
        #expect(await put(try await token(signedBy: es256, kid: "idp-es", audience: "another-system")) == .unauthenticated, "wrong audience")
        #expect(await put(try await env.token(.officer)) == .unauthenticated, "the local issuer is not trusted here")
    }
}

/// The key types a test signs with.
protocol JWTAlgorithmKey: Sendable {}
extension ES256PrivateKey: JWTAlgorithmKey {}
extension EdDSA.PrivateKey: JWTAlgorithmKey {}
