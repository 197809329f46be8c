public import Crypto
import Foundation
public import Messages

/// Signs deposit receipts with the Vault's Ed25519 receipt key, so Intake can check that the
/// Vault holds what an application refers to without ever seeing it.
public struct ReceiptSigner: Sendable {
    let key: Curve25519.Signing.PrivateKey
    /// Names the key in every receipt: the first 16 hex digits of SHA-256 over the raw
    /// 32-byte public key.
    public let keyID: String

    public init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
        self.keyID = ReceiptKey.keyID(ofRawPublicKey: key.publicKey.rawRepresentation)
    }

    /// Loads the key from its base64 32-byte seed (the format of `vault.receiptKeyFile`).
    public init(seedBase64: String) throws(VaultCryptoError) {
        guard let seed = Data(base64Encoded: seedBase64.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else { throw .malformedKey("the receipt key is not a base64 Ed25519 seed") }
        self.init(key: key)
    }

    public var publicKey: Curve25519.Signing.PublicKey { key.publicKey }

    /// What ``VaultAPI/getReceiptKey`` answers.
    public var receiptKey: ReceiptKey {
        ReceiptKey(keyID: keyID, publicKey: key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// A key for the digests the idempotency store keeps of keyed requests (a `Deposit`
    /// carries content): derived from this key, which lives outside the database.
    public var requestDigestKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: key.rawRepresentation), info: Data("tender.vault.v1/idempotency-digest".utf8), outputByteCount: 32)
    }

    /// `receipt` with this key's id, signed.
    public func sign(_ receipt: DepositReceipt) throws -> DepositReceipt {
        var named = receipt
        named.keyID = keyID
        return try named.signed(with: key)
    }
}
