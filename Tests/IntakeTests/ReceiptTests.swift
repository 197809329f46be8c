import Crypto
import Foundation
import Intake
import Messages
import ServiceKit
import Testing

/// The Vault's deposit receipt as Intake checks it, and the digest of an application receipt.
@Suite("Receipts")
struct ReceiptTests {
    let vault = Curve25519.Signing.PrivateKey()
    let challenge = ChallengeID("smart-waste")!
    let org = Fixtures.organisations[0]

    var key: VaultReceiptKey { VaultReceiptKey(publicKey: vault.publicKey) }

    @Test("the key loads from base64 of the raw key, and its id is the first 16 hex digits of its SHA-256")
    func keyFile() throws {
        let loaded = try VaultReceiptKey(base64: vault.publicKey.rawRepresentation.base64EncodedString() + "\n")
        #expect(loaded.keyID == String(Array(SHA256.hash(data: vault.publicKey.rawRepresentation)).hexString.prefix(16)))
        #expect(loaded.keyID.count == 16)
        #expect(throws: ReceiptKeyError.self) { try VaultReceiptKey(base64: "not base64") }
        #expect(throws: ReceiptKeyError.self) { try VaultReceiptKey(base64: Data(count: 31).base64EncodedString()) }
    }

    @Test("the Vault's receipt for this organisation and challenge passes")
    func genuine() throws {
        try key.verify(try Fixtures.receipt(owner: org, challenge: challenge, key: vault), owner: org, challenge: challenge, path: "confidential")
    }

    @Test("a receipt signed by another key, naming the Vault's key id, is a forgery")
    func forged() throws {
        let forged = try Fixtures.receipt(owner: org, challenge: challenge, key: Curve25519.Signing.PrivateKey(), keyID: key.keyID)
        let error = refused { try key.verify(forged, owner: org, challenge: challenge, path: "confidential") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldPath == "confidential.signature")
    }

    @Test("a receipt of another key names the wrong key id")
    func otherKey() throws {
        let other = try Fixtures.receipt(owner: org, challenge: challenge, key: Curve25519.Signing.PrivateKey())
        #expect(refused { try key.verify(other, owner: org, challenge: challenge, path: "confidential") }?.fieldPath == "confidential.keyID")
    }

    @Test("a field changed after signing breaks the signature")
    func tampered() throws {
        var receipt = try Fixtures.receipt(owner: org, challenge: challenge, key: vault)
        receipt.ref = .random()
        #expect(refused { try key.verify(receipt, owner: org, challenge: challenge, path: "confidential") }?.fieldPath == "confidential.signature")
    }

    @Test("another organisation's receipt is not this startup's to hand in")
    func foreign() throws {
        let foreign = try Fixtures.receipt(owner: Fixtures.organisations[1], challenge: challenge, key: vault)
        #expect(refused { try key.verify(foreign, owner: org, challenge: challenge, path: "confidential") }?.code == .permissionDenied)
    }

    @Test("a receipt for another challenge does not apply here")
    func otherChallenge() throws {
        let receipt = try Fixtures.receipt(owner: org, challenge: ChallengeID("other")!, key: vault)
        let error = refused { try key.verify(receipt, owner: org, challenge: challenge, path: "confidential") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldPath == "confidential.challenge")
    }

    @Test("a receipt naming an author is someone else's deposit for the startup, not its own")
    func authored() throws {
        let receipt = try Fixtures.receipt(owner: org, challenge: challenge, key: vault, author: Actor(subject: "nils", role: .negotiator))
        let error = refused { try key.verify(receipt, owner: org, challenge: challenge, path: "confidential") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldPath == "confidential.author")
        var stripped = receipt
        stripped.author = nil
        #expect(refused { try key.verify(stripped, owner: org, challenge: challenge, path: "confidential") }?.fieldPath == "confidential.signature", "the author is signed")
    }

    @Test("the application digest is SHA-256 of the canonical JSON of what was received")
    func digest() throws {
        let receipt = try Fixtures.receipt(owner: org, challenge: challenge, key: vault)
        let part = Fixtures.publicPart()
        let digest = try ApplicationDigest.compute(challenge: challenge, orgNumber: org, publicPart: part, commitment: receipt.commitment, vaultRef: receipt.ref, version: 1)
        struct Received: Encodable {
            var challenge: ChallengeID, orgNumber: OrgNumber, publicPart: ApplicationPublicPart, commitment: SaltedDigest, vaultRef: VaultRef, version: Int
        }
        let expected = Digest.sha256(try CanonicalJSON.encode(Received(challenge: challenge, orgNumber: org, publicPart: part, commitment: receipt.commitment, vaultRef: receipt.ref, version: 1)))
        #expect(digest == expected)
        let text = String(decoding: try CanonicalJSON.encode(Received(challenge: challenge, orgNumber: org, publicPart: part, commitment: receipt.commitment, vaultRef: receipt.ref, version: 1)), as: UTF8.self)
        #expect(text.hasPrefix("{\"challenge\":\"smart-waste\",\"commitment\":"), "keys sorted: \(text.prefix(60))")
        let next = try ApplicationDigest.compute(challenge: challenge, orgNumber: org, publicPart: part, commitment: receipt.commitment, vaultRef: receipt.ref, version: 2)
        #expect(next != digest, "the version is part of what is received")
    }
}
