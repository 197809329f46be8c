import Crypto
import Foundation

/// A token signed by the test issuer with claims the ``LocalTokenIssuer`` would never write
/// (an `org` that is not an organisation number), to show the runtime refuses it.
enum RawToken {
    static func signed(claims: [String: Any], seedBase64: String, keyID: String = "local-1") throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(base64Encoded: seedBase64)!)
        let header = try JSONSerialization.data(withJSONObject: ["alg": "EdDSA", "kid": keyID, "typ": "JWT"], options: .sortedKeys)
        let payload = try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys)
        let input = base64url(header) + "." + base64url(payload)
        return input + "." + base64url(try key.signature(for: Data(input.utf8)))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
