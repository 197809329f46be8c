import Foundation

/// An opaque reference to confidential content held by the Vault (DESIGN.md §4).
///
/// Other services keep only this and a ``SaltedDigest``; the text reveals nothing about the
/// content: `vref_` followed by 32 lowercase hex digits of randomness.
public struct VaultRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        self.rawValue = text
    }

    /// A fresh random reference (the Vault's to make).
    public static func random() -> VaultRef {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
        return VaultRef("vref_" + hex)!
    }

    static func isValid(_ text: String) -> Bool {
        guard text.hasPrefix("vref_") else { return false }
        let rest = text.utf8.dropFirst(5)
        return rest.count == 32 && rest.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = VaultRef(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a vault reference (vref_ + 32 hex digits)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
