public import Crypto
public import Foundation
public import Messages

/// The Vault's receipt-signing public key, with which Intake and Negotiation check a
/// ``DepositReceipt`` instead of ever seeing the deposited content (DESIGN.md §4).
///
/// Its id is the first 16 hex digits of SHA-256 over the raw 32-byte key, so a receipt
/// names the key that signed it (``DepositReceipt/keyID``).
public struct VaultReceiptKey: Sendable {
    public let publicKey: Curve25519.Signing.PublicKey
    public let keyID: String

    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.publicKey = publicKey
        self.keyID = Self.keyID(ofRawKey: publicKey.rawRepresentation)
    }

    /// From base64 of the raw 32-byte Ed25519 public key (what the Vault writes to
    /// `<its data dir>/vault-receipt.pub`); surrounding whitespace is ignored.
    public init(base64: String) throws {
        guard let raw = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
            throw ReceiptKeyError()
        }
        self.init(publicKey: try Curve25519.Signing.PublicKey(rawRepresentation: raw))
    }

    /// The key id of a raw public key: the first 16 hex digits of its SHA-256.
    public static func keyID(ofRawKey raw: some DataProtocol) -> String {
        ReceiptKey.keyID(ofRawPublicKey: raw)
    }

    /// Checks that `receipt` is the Vault's, for `owner`'s content for `challenge`, deposited
    /// by `author` (nil: by the owner itself).
    ///
    /// - Throws: `invalid_argument` on `<path>.keyID` or `<path>.signature` when the Vault did
    ///   not sign it (a forgery, or another key), on `<path>.challenge` when it is for another
    ///   challenge, on `<path>.field` when it is not `field`, on `<path>.author` when someone
    ///   else deposited it; `permission_denied` when it is another organisation's content.
    public func verify(_ receipt: DepositReceipt, owner: OrgNumber, challenge: ChallengeID, field: String? = nil, author: Actor? = nil, path: String) throws(RPCError) {
        guard receipt.keyID == keyID else {
            throw RPCError.invalidField(path + ".keyID", "is not the Vault's receipt key (\(keyID))")
        }
        guard receipt.isSigned(by: publicKey) else {
            throw RPCError.invalidField(path + ".signature", "is not the Vault's signature over this receipt")
        }
        guard receipt.owner == owner else {
            throw RPCError(.permissionDenied, "the deposit receipt belongs to another organisation")
        }
        guard receipt.challenge == challenge else {
            throw RPCError.invalidField(path + ".challenge", "the deposit was made for another challenge")
        }
        if let field, receipt.field != field {
            throw RPCError.invalidField(path + ".field", "must be `\(field)`: the content was deposited as `\(receipt.field)`")
        }
        guard receipt.author == author else {
            let by = receipt.author.map { "by \($0.subject) (\($0.role.rawValue))" } ?? "by the organisation itself"
            throw RPCError.invalidField(path + ".author", "the content was deposited \(by), not by the caller")
        }
    }
}

/// The configured receipt key is not base64 of 32 bytes.
public struct ReceiptKeyError: Error, CustomStringConvertible {
    public var description: String { "not base64 of a raw 32-byte Ed25519 public key" }
}
