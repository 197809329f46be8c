import Crypto
import Foundation
import Messages
import Testing
import Vault

/// Envelope encryption of DESIGN.md §4, without storage: the rules the Vault's rows rely on.
@Suite("Vault envelope encryption")
struct EnvelopeTests {
    static let owner = OrgNumber("923609016")!
    static let otherOwner = OrgNumber("974760673")!
    static let secret = Data("CANARY-7f3e: customer list and unit prices".utf8)

    static func ring() throws -> KeyRing {
        let json = #"{"current": 1, "keys": [{"version": 1, "key": "\#(Data(repeating: 42, count: 32).base64EncodedString())"}]}"#
        return try KeyRing(json: Data(json.utf8))
    }

    @Test func sealAndOpen() throws {
        let ring = try Self.ring()
        let (key, wrapped) = try Envelope.newDataKey(for: Self.owner, version: 1, ring: ring)
        let binding = ContentBinding(owner: Self.owner, ref: VaultRef.random(), field: "technology", dataKeyVersion: 1)
        let ciphertext = try Envelope.seal(Self.secret, with: key, binding: binding)
        #expect(ciphertext.range(of: Data("CANARY".utf8)) == nil, "no plaintext in the ciphertext")
        #expect(wrapped.sealed.count == 12 + 32 + 16)
        let reopened = try Envelope.unwrap(wrapped, ring: ring)
        #expect(try Envelope.open(ciphertext, with: reopened, binding: binding) == Self.secret)
    }

    @Test("tampered bytes, or ciphertext moved to another owner, ref, field or key version, do not open")
    func refusals() throws {
        let ring = try Self.ring()
        let (key, wrapped) = try Envelope.newDataKey(for: Self.owner, version: 1, ring: ring)
        let binding = ContentBinding(owner: Self.owner, ref: VaultRef.random(), field: "prices", dataKeyVersion: 1)
        let ciphertext = try Envelope.seal(Self.secret, with: key, binding: binding)
        var tampered = ciphertext
        tampered[20] ^= 0x01
        #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.open(tampered, with: key, binding: binding) }
        for moved in [
            ContentBinding(owner: Self.otherOwner, ref: binding.ref, field: binding.field, dataKeyVersion: 1),
            ContentBinding(owner: Self.owner, ref: VaultRef.random(), field: binding.field, dataKeyVersion: 1),
            ContentBinding(owner: Self.owner, ref: binding.ref, field: "technology", dataKeyVersion: 1),
            ContentBinding(owner: Self.owner, ref: binding.ref, field: binding.field, dataKeyVersion: 2),
        ] {
            #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.open(ciphertext, with: key, binding: moved) }
        }
        #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.open(ciphertext, with: SymmetricKey(size: .bits256), binding: binding) }
        #expect(throws: VaultCryptoError.malformedCiphertext) { try Envelope.open(Data([1, 2, 3]), with: key, binding: binding) }
        // A wrapped data key relabelled to another owner does not unwrap.
        var stolen = wrapped
        stolen.owner = Self.otherOwner
        #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.unwrap(stolen, ring: ring) }
    }

    @Test("rotation keeps old data readable; rewrap changes the wrapping, not the plaintext")
    func rotationAndRewrap() throws {
        let ring = try Self.ring()
        let (key, wrapped) = try Envelope.newDataKey(for: Self.owner, version: 1, ring: ring)
        let binding = ContentBinding(owner: Self.owner, ref: VaultRef.random(), field: "finances", dataKeyVersion: 1)
        let ciphertext = try Envelope.seal(Self.secret, with: key, binding: binding)

        let rotated = try ring.rotated()
        #expect(rotated.current == 2)
        #expect(try Envelope.open(ciphertext, with: Envelope.unwrap(wrapped, ring: rotated), binding: binding) == Self.secret, "old wrapping still opens")
        let rewrapped = try Envelope.rewrap(wrapped, ring: rotated)
        #expect(rewrapped.kekVersion == 2 && rewrapped.sealed != wrapped.sealed)
        #expect(try Envelope.open(ciphertext, with: Envelope.unwrap(rewrapped, ring: rotated), binding: binding) == Self.secret, "same plaintext, same ciphertext")
        // Once the old KEK is gone, only rewrapped keys open.
        let onlyNew = try KeyRing(json: Data(#"{"current": 1, "keys": [{"version": 1, "key": "\#(Data(repeating: 7, count: 32).base64EncodedString())"}]}"#.utf8))
        #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.unwrap(wrapped, ring: onlyNew) }
    }

    @Test("malformed key rings are refused", arguments: [
        #"{"current": 2, "keys": [{"version": 1, "key": "\#(Data(count: 32).base64EncodedString())"}]}"#,
        #"{"current": 1, "keys": [{"version": 1, "key": "c2hvcnQ="}]}"#,
        #"{"current": 1, "keys": [{"version": 1, "key": "\#(Data(count: 32).base64EncodedString())"}, {"version": 1, "key": "\#(Data(count: 32).base64EncodedString())"}]}"#,
        "not json",
    ])
    func malformedRings(_ json: String) {
        #expect(throws: VaultCryptoError.self) { try KeyRing(json: Data(json.utf8)) }
    }
}
