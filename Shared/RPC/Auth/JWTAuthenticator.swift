import Foundation
public import JWTKit
public import Messages

/// Verifies bearer tokens (EdDSA or ES256) against the identity provider's public keys and
/// maps them to a ``Principal``.
///
/// A verified token is cached until it expires (bounded in size): a signature check per
/// call would cost more than the call (DESIGN.md §3). Refusals are `unauthenticated` and say
/// why in words that reveal nothing about the keys.
public actor JWTAuthenticator: Authenticator {
    let keys: JWTKeyCollection
    let audience: String
    let maxCacheEntries: Int
    private var cache: [String: Principal] = [:]

    public init(keys: JWTKeyCollection, audience: String, maxCacheEntries: Int = 10_000) {
        self.keys = keys
        self.audience = audience
        self.maxCacheEntries = maxCacheEntries
    }

    public func authenticate(bearer token: String) async throws(RPCError) -> Principal {
        let now = Timestamp(Date())
        if let cached = cache[token] {
            if cached.expiresAt > now { return cached }
            cache[token] = nil
            throw RPCError(.unauthenticated, "token expired")
        }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw RPCError(.unauthenticated, "token expired")
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed || error.errorType == .unknownKID {
            throw RPCError(.unauthenticated, "token signature not valid")
        } catch {
            throw RPCError(.unauthenticated, "token malformed")
        }
        guard claims.aud.value.contains(audience) else {
            throw RPCError(.unauthenticated, "token not issued for this system")
        }
        var roles = Set<Role>()
        for name in claims.roles {
            if let role = Role(rawValue: name) { roles.insert(role) }
        }
        var organisation: OrgNumber?
        if let org = claims.org {
            guard let valid = OrgNumber(org) else { throw RPCError(.unauthenticated, "token 'org' claim is not a valid organisation number") }
            organisation = valid
        }
        if roles.contains(.startup) && organisation == nil {
            throw RPCError(.unauthenticated, "a startup token must carry an 'org' claim")
        }
        let principal = Principal(subject: claims.sub.value, roles: roles, organisation: organisation, expiresAt: Timestamp(claims.exp.value))
        if cache.count >= maxCacheEntries {
            cache = cache.filter { $0.value.expiresAt > now }
            if cache.count >= maxCacheEntries { cache.removeAll(keepingCapacity: true) }
        }
        cache[token] = principal
        return principal
    }
}

extension JWTAuthenticator {
    /// An authenticator that trusts only `issuer` (local mode, tests).
    public static func trusting(_ issuer: LocalTokenIssuer) async throws -> JWTAuthenticator {
        JWTAuthenticator(keys: try await JWTKeyCollection.verifying(jwks: [issuer.jwksJSON], pemPublicKeys: []), audience: issuer.audience)
    }
}
