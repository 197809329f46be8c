public import Foundation
import Crypto

/// A SHA-256 digest, written `sha256:<64 lowercase hex>` on the wire.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init?(_ text: String) {
        guard text.hasPrefix("sha256:"), let bytes = [UInt8](hex: String(text.dropFirst(7))), bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: some DataProtocol) -> Digest {
        Digest(bytes: Array(SHA256.hash(data: data)))!
    }

    /// A commitment to `content`: SHA-256 over `salt ‖ content`. With a random salt of
    /// 32 bytes it proves later which content was submitted without revealing it, and
    /// cannot be brute-forced from a guess of the content.
    public static func salted(_ content: some DataProtocol, salt: [UInt8]) -> Digest {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: content)
        return Digest(bytes: Array(hasher.finalize()))!
    }

    public var hex: String { bytes.hexString }
    public var description: String { "sha256:" + hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Digest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a digest (sha256: + 64 hex digits)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A salted commitment as other services hold it: the digest and the salt used (the salt is
/// not secret; without the content it reveals nothing).
public struct SaltedDigest: Hashable, Sendable, Codable {
    public var digest: Digest
    /// Base64 of the salt bytes.
    public var salt: String

    public init(digest: Digest, salt: String) {
        self.digest = digest
        self.salt = salt
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Decodes hexadecimal text (either case); nil for odd length or a non-hex character.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
