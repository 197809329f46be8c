import Foundation
public import JWTKit
public import Messages
public import RPC

/// Verifies access grants: the signature with the key of the issuer the grant names, then
/// ``GrantRules``. It calls no other service (DESIGN.md §4).
///
/// Each issuer's key sits in a key collection of its own, so a grant is never checked with
/// another issuer's key (jwt-kit falls back to a default key for an unknown `kid`).
public struct GrantVerifier: Sendable {
    let issuers: [String: JWTKeyCollection]
    /// The reader roles each issuer may grant.
    let issuerRoles: [String: Set<Role>]
    /// The longest lifetime (`exp − iat`) a grant may have.
    public let maxLifetimeSeconds: Int

    /// - Parameters:
    ///   - issuerKeys: each trusted issuer's Ed25519 public key, by issuer name.
    ///   - issuerRoles: the reader roles each issuer may grant; an issuer not named here gets
    ///     ``GrantRules/defaultRoles(forIssuer:)``, or none (every grant it signs is refused).
    public init(issuerKeys: [String: EdDSA.PublicKey], issuerRoles: [String: Set<Role>] = [:], maxLifetimeSeconds: Int = 900) async {
        var issuers: [String: JWTKeyCollection] = [:]
        var roles: [String: Set<Role>] = [:]
        for (name, key) in issuerKeys {
            let keys = JWTKeyCollection()
            await keys.add(eddsa: key, kid: JWKIdentifier(string: name))
            issuers[name] = keys
            roles[name] = issuerRoles[name] ?? GrantRules.defaultRoles(forIssuer: name) ?? []
        }
        self.issuers = issuers
        self.issuerRoles = roles
        self.maxLifetimeSeconds = maxLifetimeSeconds
    }

    /// The issuers trusted, by name.
    public var issuerNames: [String] { issuers.keys.sorted() }

    /// The grant in `token`, if it lets `caller` open `ref` at `now`.
    public func verify(_ token: String, ref: VaultRef, caller: Principal, now: Timestamp) async throws(GrantRefusal) -> VerifiedGrant {
        guard let kid = Self.keyID(of: token) else { throw GrantRefusal("malformed, or it names no issuer (kid)") }
        guard let keys = issuers[kid] else { throw GrantRefusal("its issuer is not trusted") }
        let claims: AccessGrantClaims
        do {
            claims = try await keys.verify(token, as: AccessGrantClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw GrantRefusal("signature not valid")
        } catch {
            throw GrantRefusal("malformed or not signed by its issuer")
        }
        let grant = try GrantRules.check(claims, issuer: kid, ref: ref, caller: caller, now: now, maxLifetimeSeconds: maxLifetimeSeconds)
        // Evaluation grants evaluators, Negotiation negotiators: a trusted issuer cannot
        // grant outside its own part of the process.
        guard issuerRoles[kid, default: []].contains(grant.reader.role) else {
            throw GrantRefusal("its issuer may not grant the role \(grant.reader.role.rawValue)")
        }
        return grant
    }

    /// The `kid` of a compact JWS's header, read before any key is chosen.
    static func keyID(of token: String) -> String? {
        struct Header: Decodable { var kid: String? }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Data(base64URL: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: bytes), let kid = header.kid, !kid.isEmpty
        else { return nil }
        return kid
    }
}

extension Data {
    /// Decodes unpadded base64url (RFC 4648 §5).
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
