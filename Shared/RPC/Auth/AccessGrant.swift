public import Crypto
public import Foundation
public import JWTKit
public import Messages

/// The claims of a Vault access grant (DESIGN.md §4): a short-lived token, signed by a
/// service the Vault trusts as an issuer (Evaluation, Negotiation), that lets one reader
/// open one ref for one purpose.
///
/// The JWS header's `kid` names the issuer, and `iss` must say the same: the Vault verifies
/// grants from `evaluation` only with the key configured for `evaluation`.
public struct AccessGrantClaims: JWTPayload, Equatable {
    /// The issuing service (`evaluation`, `negotiation`).
    public var iss: IssuerClaim
    /// Who may read: the reader's token subject.
    public var sub: SubjectClaim
    /// The role the reader acts in (`evaluator`, `negotiator`, `officer`).
    public var role: String
    /// The one ref this grant opens.
    public var ref: String
    /// Why (`evaluation`, `dialogue`), recorded with every read.
    public var purpose: String
    /// The grant's id, recorded with every read.
    public var jti: IDClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim

    public init(issuer: String, subject: String, role: Role, ref: VaultRef, purpose: String, grant: GrantID = GrantID(), expires: Date, issuedAt: Date = Date()) {
        self.iss = IssuerClaim(value: issuer)
        self.sub = SubjectClaim(value: subject)
        self.role = role.rawValue
        self.ref = ref.rawValue
        self.purpose = purpose
        self.jti = IDClaim(value: grant.rawValue)
        self.aud = AudienceClaim(value: [VaultAPI.grantAudience])
        self.exp = ExpirationClaim(value: expires)
        self.iat = IssuedAtClaim(value: issuedAt)
    }

    /// Signature aside, the Vault checks the rest itself against its own clock.
    public func verify(using algorithm: some JWTAlgorithm) throws {}
}

/// Signs access grants with a service's Ed25519 grant key. The Vault is configured with the
/// matching public key under the issuer's name.
public struct AccessGrantIssuer: Sendable {
    /// The issuer's name: the grant's `iss` and `kid`.
    public let name: String
    let privateKey: Curve25519.Signing.PrivateKey

    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.privateKey = privateKey
    }

    /// Loads the key from its base64 32-byte seed.
    public init(name: String, seedBase64: String) throws {
        guard let seed = Data(base64Encoded: seedBase64.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else { throw RPCError(.invalidArgument, "grant key is not a base64 Ed25519 seed") }
        self.init(name: name, privateKey: key)
    }

    public var seedBase64: String { privateKey.rawRepresentation.base64EncodedString() }

    /// The public key in PEM, for the Vault's configuration (`vault.grantIssuerKeys`).
    public var publicKeyPEM: String { EdDSA.PublicKey(backing: privateKey.publicKey).pemRepresentation }

    /// A grant for `subject` (acting as `role`) to open `ref` for `purpose`, valid for
    /// `validFor` from `now` (the issuer's legal clock).
    public func grant(subject: String, role: Role, ref: VaultRef, purpose: String, id: GrantID = GrantID(), validFor: Duration = .seconds(300), now: Date) async throws -> String {
        let keys = JWTKeyCollection()
        let kid = JWKIdentifier(string: name)
        await keys.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: kid)
        let claims = AccessGrantClaims(
            issuer: name, subject: subject, role: role, ref: ref, purpose: purpose, grant: id,
            expires: now.addingTimeInterval(Double(validFor.components.seconds)), issuedAt: now)
        return try await keys.sign(claims, kid: kid)
    }
}
