public import Foundation
public import Crypto

/// `tender.vault.v1.VaultService`: the only place confidential startup information lives
/// (DESIGN.md §4).
///
/// A startup deposits content and gets back a ``VaultRef``, a salted commitment and a
/// receipt signed by the Vault; other services hold only those. Reading needs an access
/// grant — a short-lived token signed by a configured issuer (Evaluation, Negotiation) naming
/// the reader, the ref and the purpose — and every read is recorded before the plaintext
/// leaves. The owner can list every read of its data; shredding deletes the data key.
public enum VaultAPI {
    public static let service = "tender.vault.v1.VaultService"

    /// A startup deposits confidential content for a challenge (owner = its `org` claim); in a
    /// dialogue, an officer or negotiator deposits what it writes to a startup (minutes,
    /// messages) for that startup (owner named in the request, the author in the receipt).
    public static let deposit = Method<DepositRequest, DepositResponse>(service: service, name: "Deposit", kind: .mutating, access: .roles([.startup, .officer, .negotiator]))
    /// Reads content under an access grant; recorded durably before the plaintext is returned.
    /// A startup reads only content it owns (its dialogue's, under a grant from Negotiation).
    public static let open = Method<OpenRequest, OpenResponse>(service: service, name: "Open", kind: .mutating, access: .roles([.evaluator, .negotiator, .officer, .startup]))
    /// Every read of a startup's data: a startup sees its own, an auditor any owner's.
    public static let listAccesses = Method<ListAccessesRequest, ListAccessesResponse>(service: service, name: "ListAccesses", kind: .idempotent, access: .roles([.startup, .auditor]))
    /// Deletes a startup's data key for a challenge: its content is unreadable from then on.
    /// A startup shreds its own (e.g. on withdrawal); an officer when retention ends.
    public static let shred = Method<ShredRequest, ShredResponse>(service: service, name: "Shred", kind: .mutating, access: .roles([.startup, .officer]))
    /// Rewraps every data key under the current key-encryption key (after a rotation added a
    /// new version to the key ring). No plaintext is read or changed. Operators call it with a
    /// service token.
    public static let rewrap = Method<RewrapRequest, RewrapResponse>(service: service, name: "Rewrap", kind: .mutating, access: .roles([.service]))
    /// The Vault's receipt-signing public key, for services that verify deposit receipts.
    public static let getReceiptKey = Method<GetReceiptKeyRequest, ReceiptKey>(service: service, name: "GetReceiptKey", kind: .idempotent, access: .everyone)

    /// The largest content one deposit may hold (decoded bytes).
    public static let maxContentBytes = 1 << 20
    /// The audience every access grant must carry.
    public static let grantAudience = "tender-vault"
}

public struct DepositRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// What the content is, e.g. `application` or `pilot-data`: 1–64 of `a–z 0–9 - _ .`.
    public var field: String
    /// Base64 of the content bytes (at most ``VaultAPI/maxContentBytes``).
    public var content: String
    /// The content's media type, e.g. `text/plain` or `application/json`.
    public var mediaType: String
    /// Whose content it is: omitted (or the caller's own `org`) for a startup; required for an
    /// officer or negotiator, who deposits for that startup. The receipt then names the
    /// author (``DepositReceipt/author``).
    public var owner: OrgNumber?

    public init(challenge: ChallengeID, field: String, content: String, mediaType: String = "text/plain", owner: OrgNumber? = nil) {
        self.challenge = challenge
        self.field = field
        self.content = content
        self.mediaType = mediaType
        self.owner = owner
    }

    /// A request depositing `bytes`.
    public init(challenge: ChallengeID, field: String, bytes: some DataProtocol, mediaType: String = "text/plain", owner: OrgNumber? = nil) {
        self.init(challenge: challenge, field: field, content: Data(bytes).base64EncodedString(), mediaType: mediaType, owner: owner)
    }

    /// Whether `field` is an acceptable field name.
    public static func isValidField(_ field: String) -> Bool {
        (1...64).contains(field.utf8.count) && field.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46
        }
    }
}

public struct DepositResponse: Codable, Sendable, Hashable {
    public var ref: VaultRef
    /// The salted commitment to the content; the salt is returned so the startup can prove
    /// later which content it deposited.
    public var commitment: SaltedDigest
    /// Signed by the Vault; the startup hands it to Intake with its application.
    public var receipt: DepositReceipt

    public init(ref: VaultRef, commitment: SaltedDigest, receipt: DepositReceipt) {
        self.ref = ref
        self.commitment = commitment
        self.receipt = receipt
    }
}

/// The Vault's signed statement that it holds content under `ref` for `owner` and
/// `challenge`, committed to by `commitment`, since `depositedAt`. Intake verifies it with the
/// Vault's receipt key instead of ever seeing the content.
///
/// The signature is Ed25519 over ``signedBytes()``: the canonical JSON of every field but
/// `signature`.
public struct DepositReceipt: Codable, Sendable, Hashable {
    public var ref: VaultRef
    public var owner: OrgNumber
    public var challenge: ChallengeID
    public var field: String
    public var commitment: SaltedDigest
    public var depositedAt: Timestamp
    /// Names the receipt key that signed (``ReceiptKey/keyID``).
    public var keyID: String
    /// Who deposited, when it was not the owner itself: an officer or negotiator writing to
    /// the owner in a dialogue. Nil for the owner's own deposits (an application's must be).
    public var author: Actor?
    /// Base64 of the Ed25519 signature.
    public var signature: String

    public init(ref: VaultRef, owner: OrgNumber, challenge: ChallengeID, field: String, commitment: SaltedDigest, depositedAt: Timestamp, keyID: String, author: Actor? = nil, signature: String = "") {
        self.ref = ref
        self.owner = owner
        self.challenge = challenge
        self.field = field
        self.commitment = commitment
        self.depositedAt = depositedAt
        self.keyID = keyID
        self.author = author
        self.signature = signature
    }

    /// Without an author, exactly the fields (and bytes) receipts had before authors existed.
    private struct Unsigned: Encodable {
        var ref: VaultRef
        var owner: OrgNumber
        var challenge: ChallengeID
        var field: String
        var commitment: SaltedDigest
        var depositedAt: Timestamp
        var keyID: String
        var author: Actor?
        var context = "tender.vault.v1/receipt"
    }

    /// The bytes the signature covers (the author among them when there is one).
    public func signedBytes() throws -> Data {
        try CanonicalJSON.encode(Unsigned(ref: ref, owner: owner, challenge: challenge, field: field, commitment: commitment, depositedAt: depositedAt, keyID: keyID, author: author))
    }

    /// This receipt signed with `key`.
    public func signed(with key: Curve25519.Signing.PrivateKey) throws -> DepositReceipt {
        var copy = self
        copy.signature = try key.signature(for: signedBytes()).base64EncodedString()
        return copy
    }

    /// Whether the signature is `key`'s over these exact fields.
    public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let signature = Data(base64Encoded: signature), let bytes = try? signedBytes() else { return false }
        return key.isValidSignature(signature, for: bytes)
    }
}

public struct OpenRequest: Codable, Sendable {
    public var ref: VaultRef
    /// The access grant (a compact JWS) naming the caller, this ref and the purpose.
    public var grant: String

    public init(ref: VaultRef, grant: String) {
        self.ref = ref
        self.grant = grant
    }
}

public struct OpenResponse: Codable, Sendable, Hashable {
    public var ref: VaultRef
    public var owner: OrgNumber
    public var challenge: ChallengeID
    public var field: String
    public var mediaType: String
    /// Base64 of the content bytes.
    public var content: String
    public var commitment: SaltedDigest
    /// The id of the recorded access (as the owner sees it in ``VaultAPI/listAccesses``).
    public var access: String

    public init(ref: VaultRef, owner: OrgNumber, challenge: ChallengeID, field: String, mediaType: String, content: String, commitment: SaltedDigest, access: String) {
        self.ref = ref
        self.owner = owner
        self.challenge = challenge
        self.field = field
        self.mediaType = mediaType
        self.content = content
        self.commitment = commitment
        self.access = access
    }

    /// The content bytes.
    public var bytes: Data? { Data(base64Encoded: content) }
}

/// A Vault access grant, to present with ``OpenRequest`` to the Vault.
public struct AccessGrant: Codable, Sendable, Hashable {
    /// The grant (compact JWS, signed by its issuer: `evaluation` or `negotiation`).
    public var grant: String
    public var grantID: GrantID
    public var ref: VaultRef
    public var purpose: String
    public var expiresAt: Timestamp
    public init(grant: String, grantID: GrantID, ref: VaultRef, purpose: String, expiresAt: Timestamp) {
        self.grant = grant
        self.grantID = grantID
        self.ref = ref
        self.purpose = purpose
        self.expiresAt = expiresAt
    }
}

public struct ListAccessesRequest: Codable, Sendable {
    /// Whose data (auditors must name it; a startup may omit it or give its own).
    public var owner: OrgNumber?
    /// Only reads of this ref.
    public var ref: VaultRef?

    public init(owner: OrgNumber? = nil, ref: VaultRef? = nil) {
        self.owner = owner
        self.ref = ref
    }
}

/// One recorded read.
public struct AccessEntry: Codable, Sendable, Hashable {
    public var access: String
    public var ref: VaultRef
    public var challenge: ChallengeID
    public var field: String
    public var reader: Actor
    /// The grant issuer (e.g. `evaluation`) and purpose (e.g. `evaluation`).
    public var issuer: String
    public var purpose: String
    public var grant: GrantID
    public var time: Timestamp

    public init(access: String, ref: VaultRef, challenge: ChallengeID, field: String, reader: Actor, issuer: String, purpose: String, grant: GrantID, time: Timestamp) {
        self.access = access
        self.ref = ref
        self.challenge = challenge
        self.field = field
        self.reader = reader
        self.issuer = issuer
        self.purpose = purpose
        self.grant = grant
        self.time = time
    }
}

public struct ListAccessesResponse: Codable, Sendable, Hashable {
    /// Oldest first.
    public var accesses: [AccessEntry]
    public init(accesses: [AccessEntry]) { self.accesses = accesses }
}

public struct ShredRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// Whose data: a startup shreds its own (omit or give its own); an officer must name it.
    public var owner: OrgNumber?
    /// Why (`withdrawn`, `retention ended`, …), recorded.
    public var reason: String

    public init(challenge: ChallengeID, owner: OrgNumber? = nil, reason: String) {
        self.challenge = challenge
        self.owner = owner
        self.reason = reason
    }
}

public struct ShredResponse: Codable, Sendable, Hashable {
    /// How many deposits became unreadable.
    public var refs: Int
    public var shreddedAt: Timestamp
    /// Base64 of the salt that seals the owner in the recorded `confidential_data.shredded`
    /// (``ConfidentialDataShredded/sealOwner(_:salt:)``).
    public var ownerSalt: String
    public init(refs: Int, shreddedAt: Timestamp, ownerSalt: String) {
        self.refs = refs
        self.shreddedAt = shreddedAt
        self.ownerSalt = ownerSalt
    }
}

public struct RewrapRequest: Codable, Sendable { public init() {} }

public struct RewrapResponse: Codable, Sendable, Hashable {
    /// The key-encryption key version every data key is now wrapped with.
    public var currentKeyVersion: Int
    /// Data keys rewrapped by this call (those already current are left alone).
    public var rewrapped: Int
    public init(currentKeyVersion: Int, rewrapped: Int) {
        self.currentKeyVersion = currentKeyVersion
        self.rewrapped = rewrapped
    }
}

public struct GetReceiptKeyRequest: Codable, Sendable { public init() {} }

public struct ReceiptKey: Codable, Sendable, Hashable {
    /// ``keyID(ofRawPublicKey:)`` of the key.
    public var keyID: String
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String
    public init(keyID: String, publicKey: String) {
        self.keyID = keyID
        self.publicKey = publicKey
    }

    /// A receipt key's id: the first 16 hex digits of SHA-256 of the raw 32-byte Ed25519
    /// public key. The Vault names its key so, and a verifier checks it before the signature.
    public static func keyID(ofRawPublicKey raw: some DataProtocol) -> String {
        String(Array(SHA256.hash(data: raw)).hexString.prefix(16))
    }
}
