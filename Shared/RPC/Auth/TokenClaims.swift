public import Foundation
public import JWTKit

/// The claims TenderDialogue reads from a token (DESIGN.md §3).
public struct TokenClaims: JWTPayload {
    public var sub: SubjectClaim
    public var roles: [String]
    public var org: String?
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim?

    public init(subject: String, roles: [String], organisation: String?, audience: String, expires: Date, issuedAt: Date = Date()) {
        self.sub = SubjectClaim(value: subject)
        self.roles = roles
        self.org = organisation
        self.aud = AudienceClaim(value: [audience])
        self.exp = ExpirationClaim(value: expires)
        self.iat = IssuedAtClaim(value: issuedAt)
    }

    /// Expiry only; the audience is checked by ``JWTAuthenticator`` against its own
    /// configuration.
    public func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
    }
}
