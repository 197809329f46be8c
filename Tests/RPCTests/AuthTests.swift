import Foundation
import JWTKit
import Messages
import RPC
import Testing
import TestServiceKit

/// ``JWTAuthenticator`` (DESIGN.md §3): tokens of the configured issuer map to a
/// ``Principal``; a verified token is cached until it expires, and not a moment longer.
@Suite("JWT authentication")
struct AuthTests {
    let issuer = LocalTokenIssuer(audience: "tenderdialogue")

    func keys() async throws -> JWTKeyCollection {
        try await JWTKeyCollection.verifying(jwks: [issuer.jwksJSON], pemPublicKeys: [])
    }

    @Test func tokenBecomesAPrincipal() async throws {
        let authenticator = JWTAuthenticator(keys: try await keys(), audience: issuer.audience)
        let token = try await issuer.token(subject: "kari", roles: [.startup, .evaluator], organisation: .sample, validFor: .seconds(600))
        let principal = try await authenticator.authenticate(bearer: token)
        #expect(principal.subject == "kari")
        #expect(principal.roles == [.startup, .evaluator])
        #expect(principal.organisation == .sample)
        let remaining = principal.expiresAt.date.timeIntervalSinceNow
        #expect(remaining > 500 && remaining <= 601, "expires in \(remaining) s")
    }

    /// Verified once, then served from the cache: with every key gone, the token that was
    /// verified still passes while a fresh one fails.
    @Test func verifiedTokenIsCached() async throws {
        let keys = try await keys()
        let authenticator = JWTAuthenticator(keys: keys, audience: issuer.audience)
        let token = try await issuer.token(subject: "kari", roles: [.officer])
        let first = try await authenticator.authenticate(bearer: token)
        await keys.removeAll()
        let cached = try await authenticator.authenticate(bearer: token)
        #expect(cached == first)
        let fresh = try await issuer.token(subject: "ola", roles: [.officer])
        let error = await #expect(throws: RPCError.self) { try await authenticator.authenticate(bearer: fresh) }
        #expect(error?.code == .unauthenticated)
    }

    @Test func expiredCachedTokenIsRefused() async throws {
        let authenticator = JWTAuthenticator(keys: try await keys(), audience: issuer.audience)
        let token = try await issuer.token(subject: "kari", roles: [.officer], validFor: .seconds(3))
        let principal = try await authenticator.authenticate(bearer: token)
        try await sleep(until: principal.expiresAt)
        let error = await #expect(throws: RPCError.self) { try await authenticator.authenticate(bearer: token) }
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains("expired") == true, "\(String(describing: error))")
        // Dropped from the cache, and refused again on the next try.
        let again = await #expect(throws: RPCError.self) { try await authenticator.authenticate(bearer: token) }
        #expect(again?.code == .unauthenticated)
    }

    @Test("refusals are unauthenticated", arguments: [
        "garbage", "wrongAudience", "otherKey", "unknownKeyID", "startupWithoutOrg", "expired", "empty",
    ])
    func refusals(_ kind: String) async throws {
        let authenticator = JWTAuthenticator(keys: try await keys(), audience: issuer.audience)
        let token: String
        switch kind {
        case "garbage": token = "eyJ.not.a-token"
        case "wrongAudience": token = try await LocalTokenIssuer(seedBase64: issuer.seedBase64, audience: "elsewhere").token(subject: "kari", roles: [.officer])
        case "otherKey": token = try await LocalTokenIssuer(audience: issuer.audience, keyID: issuer.keyID).token(subject: "kari", roles: [.officer])
        case "unknownKeyID": token = try await LocalTokenIssuer(audience: issuer.audience, keyID: "other-9").token(subject: "kari", roles: [.officer])
        case "startupWithoutOrg": token = try await issuer.token(subject: "kari", roles: [.startup])
        case "expired": token = try await issuer.token(subject: "kari", roles: [.officer], validFor: .seconds(60), now: Date().addingTimeInterval(-3600))
        default: token = ""
        }
        let error = await #expect(throws: RPCError.self) { try await authenticator.authenticate(bearer: token) }
        #expect(error?.code == .unauthenticated)
    }

    /// End to end: a token accepted (and cached) by a server is refused there once expired.
    @Test func serverRefusesATokenOnceItExpired() async throws {
        try await withTestServer { server in
            let issuer = server.backend.environment.issuer
            let key = uniqueKey("expiring")
            // A short-lived token, accepted while valid; on a machine so loaded that the call
            // outlives it, try again with a fresh one rather than assume a speed.
            var token = ""
            var issuedAt = Date()
            var accepted = false
            for _ in 0..<5 where !accepted {
                issuedAt = Date()
                token = try await issuer.token(subject: "kari", roles: [.officer], validFor: .seconds(3), now: issuedAt)
                accepted = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "v")), headers: jsonHeaders(token: token)).status == 200
            }
            #expect(accepted)
            try await sleep(until: Timestamp(issuedAt.addingTimeInterval(3)))
            let refused = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "w")), headers: jsonHeaders(token: token))
            expectRefusal(refused, .unauthenticated)
            #expect(try await server.stored(key) == GetResponse(value: "v", executions: 1))
        }
    }

    /// Sleeps until just past `instant` by the wall clock, the clock tokens expire by.
    func sleep(until instant: Timestamp) async throws {
        let seconds = instant.date.timeIntervalSinceNow + 0.3
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
    }
}
