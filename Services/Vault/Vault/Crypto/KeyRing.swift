public import Crypto
public import Foundation

/// The Vault's key-encryption keys (KEKs), by version. Given to the Vault only, as a file or
/// secret: `{"current": 2, "keys": [{"version": 1, "key": "<base64 of 32 bytes>"}, …]}`.
///
/// New data keys are wrapped with the current version; older versions stay to unwrap what
/// they wrapped until everything has been rewrapped, then they can be removed.
public struct KeyRing: Sendable {
    public let current: Int
    let keys: [Int: SymmetricKey]

    public init(current: Int, keys: [Int: SymmetricKey]) throws(VaultCryptoError) {
        guard let key = keys[current] else { throw .unknownKeyVersion(current) }
        guard key.bitCount == 256, keys.values.allSatisfy({ $0.bitCount == 256 }) else { throw .malformedKeyRing("every key must be 32 bytes") }
        self.current = current
        self.keys = keys
    }

    /// Parses the key-ring file.
    public init(json: Data) throws(VaultCryptoError) {
        struct File: Decodable {
            struct Entry: Decodable { var version: Int; var key: String }
            var current: Int
            var keys: [Entry]
        }
        guard let file = try? JSONDecoder().decode(File.self, from: json) else { throw .malformedKeyRing("not a key-ring document") }
        var keys: [Int: SymmetricKey] = [:]
        for entry in file.keys {
            guard let bytes = Data(base64Encoded: entry.key), bytes.count == 32 else { throw .malformedKeyRing("key version \(entry.version) is not base64 of 32 bytes") }
            guard keys[entry.version] == nil else { throw .malformedKeyRing("key version \(entry.version) appears twice") }
            keys[entry.version] = SymmetricKey(data: bytes)
        }
        try self.init(current: file.current, keys: keys)
    }

    /// Whether the ring has a key of `version`.
    public func holds(version: Int) -> Bool { keys[version] != nil }

    func key(_ version: Int) throws(VaultCryptoError) -> SymmetricKey {
        guard let key = keys[version] else { throw .unknownKeyVersion(version) }
        return key
    }

    /// A ring with a new random current key added (rotation); the old keys stay.
    public func rotated() throws(VaultCryptoError) -> KeyRing {
        let next = (keys.keys.max() ?? 0) + 1
        var all = keys
        all[next] = SymmetricKey(size: .bits256)
        return try KeyRing(current: next, keys: all)
    }
}

/// Why sealing or opening failed. The messages name versions and bindings, never content.
public enum VaultCryptoError: Error, Equatable, CustomStringConvertible {
    case unknownKeyVersion(Int)
    case malformedKeyRing(String)
    /// A signing key file that does not hold what it should.
    case malformedKey(String)
    /// Authentication failed: tampered bytes, or bytes bound to another owner, ref, field
    /// or key version.
    case authenticationFailed
    case malformedCiphertext

    public var description: String {
        switch self {
        case .unknownKeyVersion(let version): "no key of version \(version)"
        case .malformedKeyRing(let reason): "malformed key ring: \(reason)"
        case .malformedKey(let reason): reason
        case .authenticationFailed: "the ciphertext does not open under this binding (tampered or moved)"
        case .malformedCiphertext: "malformed ciphertext"
        }
    }
}
