public import Crypto
public import Foundation
public import JWTKit
public import Messages

/// The identity provider of local and development mode: an Ed25519 key that mints tokens,
/// and the JWKS the services verify them with. Production uses the municipality's IdP and
/// never this type.
public struct LocalTokenIssuer: Sendable {
    public let keyID: String
    let privateKey: Curve25519.Signing.PrivateKey
    public let audience: String

    /// A new random key.
    public init(audience: String, keyID: String = "local-1") {
        self.init(privateKey: Curve25519.Signing.PrivateKey(), audience: audience, keyID: keyID)
    }

    public init(privateKey: Curve25519.Signing.PrivateKey, audience: String, keyID: String = "local-1") {
        self.privateKey = privateKey
        self.audience = audience
        self.keyID = keyID
    }

    /// Loads the key from its 32-byte seed, base64-encoded (the format ``seedBase64`` writes).
    public init(seedBase64: String, audience: String, keyID: String = "local-1") throws {
        guard let seed = Data(base64Encoded: seedBase64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw RPCError(.invalidArgument, "issuer key is not base64")
        }
        self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed), audience: audience, keyID: keyID)
    }

    public var seedBase64: String { privateKey.rawRepresentation.base64EncodedString() }

    /// The public key as a JWKS document.
    public var jwksJSON: String {
        let x = Self.base64url(privateKey.publicKey.rawRepresentation)
        return #"{"keys":[{"alg":"EdDSA","crv":"Ed25519","kid":"\#(keyID)","kty":"OKP","use":"sig","x":"\#(x)"}]}"#
    }

    /// A signed token.
    public func token(subject: String, roles: [Role], organisation: OrgNumber? = nil, validFor: Duration = .seconds(3600), now: Date = Date()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: JWKIdentifier(string: keyID))
        let seconds = Double(validFor.components.seconds) + Double(validFor.components.attoseconds) / 1e18
        let claims = TokenClaims(
            subject: subject, roles: roles.map(\.rawValue), organisation: organisation?.rawValue,
            audience: audience, expires: now.addingTimeInterval(seconds), issuedAt: now)
        return try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
    }

    static func base64url(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension JWTKeyCollection {
    /// Keys from the configured sources: PEM public keys (ES256 or EdDSA), each verifying
    /// tokens whose `kid` is its key id, and JWKS documents. The first PEM key also verifies
    /// tokens that carry no `kid`.
    public static func verifying(jwks: [String], pemPublicKeys: [(keyID: String, pem: String)]) async throws -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        for (keyID, pem) in pemPublicKeys {
            let kid = JWKIdentifier(string: keyID)
            if let ecdsa = try? ES256PublicKey(pem: pem) {
                await keys.add(ecdsa: ecdsa, kid: kid)
            } else {
                await keys.add(eddsa: try EdDSA.PublicKey(pem: pem), kid: kid)
            }
        }
        for document in jwks { try await keys.add(jwksJSON: document) }
        return keys
    }
}
