public import Crypto
public import Foundation
public import Messages

/// A startup's data key, wrapped by a KEK version (AES-256-GCM), bound to its owner and that
/// version so a wrapped key moved to another owner or relabelled does not open.
public struct WrappedDataKey: Sendable, Hashable, Codable {
    public var owner: OrgNumber
    /// The data key's own version for this owner (a startup may get a new one).
    public var dataKeyVersion: Int
    public var kekVersion: Int
    /// AES-GCM combined form (nonce ‖ ciphertext ‖ tag).
    public var sealed: Data
}

/// Where a piece of content belongs. Sealed into the GCM associated data, so ciphertext
/// copied to another row — another owner, ref or field — fails to open (DESIGN.md §4).
public struct ContentBinding: Sendable, Hashable {
    public var owner: OrgNumber
    public var ref: VaultRef
    public var field: String
    public var dataKeyVersion: Int

    public init(owner: OrgNumber, ref: VaultRef, field: String, dataKeyVersion: Int) {
        self.owner = owner
        self.ref = ref
        self.field = field
        self.dataKeyVersion = dataKeyVersion
    }

    var associatedData: Data {
        Data("tender.vault.v1/content|owner=\(owner)|ref=\(ref)|field=\(field)|dk=\(dataKeyVersion)".utf8)
    }
}

/// Envelope encryption: content under a per-startup data key, the data key under the KEK.
public enum Envelope {
    /// A new random data key for `owner`, wrapped with the ring's current KEK.
    public static func newDataKey(for owner: OrgNumber, version: Int, ring: KeyRing) throws(VaultCryptoError) -> (key: SymmetricKey, wrapped: WrappedDataKey) {
        let key = SymmetricKey(size: .bits256)
        return (key, try wrap(key, owner: owner, dataKeyVersion: version, ring: ring))
    }

    static func wrap(_ key: SymmetricKey, owner: OrgNumber, dataKeyVersion: Int, ring: KeyRing) throws(VaultCryptoError) -> WrappedDataKey {
        let aad = wrapBinding(owner: owner, dataKeyVersion: dataKeyVersion, kekVersion: ring.current)
        let raw = key.withUnsafeBytes { Data($0) }
        guard let sealed = try? AES.GCM.seal(raw, using: try ring.key(ring.current), authenticating: aad).combined else { throw .malformedCiphertext }
        return WrappedDataKey(owner: owner, dataKeyVersion: dataKeyVersion, kekVersion: ring.current, sealed: sealed)
    }

    /// The data key inside `wrapped`.
    public static func unwrap(_ wrapped: WrappedDataKey, ring: KeyRing) throws(VaultCryptoError) -> SymmetricKey {
        let aad = wrapBinding(owner: wrapped.owner, dataKeyVersion: wrapped.dataKeyVersion, kekVersion: wrapped.kekVersion)
        let kek = try ring.key(wrapped.kekVersion)
        guard let box = try? AES.GCM.SealedBox(combined: wrapped.sealed) else { throw .malformedCiphertext }
        guard let raw = try? AES.GCM.open(box, using: kek, authenticating: aad) else { throw .authenticationFailed }
        return SymmetricKey(data: raw)
    }

    /// The same data key wrapped with the ring's current KEK (after a rotation). The
    /// plaintext of the content is neither seen nor changed: only the wrapping moves.
    public static func rewrap(_ wrapped: WrappedDataKey, ring: KeyRing) throws(VaultCryptoError) -> WrappedDataKey {
        try wrap(try unwrap(wrapped, ring: ring), owner: wrapped.owner, dataKeyVersion: wrapped.dataKeyVersion, ring: ring)
    }

    public static func seal(_ plaintext: some DataProtocol, with key: SymmetricKey, binding: ContentBinding) throws(VaultCryptoError) -> Data {
        guard let sealed = try? AES.GCM.seal(Data(plaintext), using: key, authenticating: binding.associatedData).combined else { throw .malformedCiphertext }
        return sealed
    }

    public static func open(_ ciphertext: Data, with key: SymmetricKey, binding: ContentBinding) throws(VaultCryptoError) -> Data {
        guard let box = try? AES.GCM.SealedBox(combined: ciphertext) else { throw .malformedCiphertext }
        guard let plaintext = try? AES.GCM.open(box, using: key, authenticating: binding.associatedData) else { throw .authenticationFailed }
        return plaintext
    }

    static func wrapBinding(owner: OrgNumber, dataKeyVersion: Int, kekVersion: Int) -> Data {
        Data("tender.vault.v1/datakey|owner=\(owner)|dk=\(dataKeyVersion)|kek=\(kekVersion)".utf8)
    }
}
