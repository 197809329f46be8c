public import Crypto
import Foundation
import Messages

/// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: the text, a blank line, and
/// one line per signature, `— <name> <base64(key id ‖ signature)>`.
public enum SignedNote {
    /// A verifier key: `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`.
    public struct VerifierKey: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public let keyID: [UInt8]
        public let publicKey: Curve25519.Signing.PublicKey

        public init(name: String, publicKey: Curve25519.Signing.PublicKey) {
            self.name = name
            self.publicKey = publicKey
            self.keyID = SignedNote.keyID(name: name, publicKey: publicKey)
        }

        /// Parses the text form; nil when malformed or the key id does not match.
        public init?(_ text: String) {
            let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, SignedNote.isValidName(String(parts[0])),
                  let id = [UInt8](hex: String(parts[1])), id.count == 4,
                  let keyBytes = Data(base64Encoded: String(parts[2])), keyBytes.count == 33, keyBytes.first == 0x01,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes.dropFirst())
            else { return nil }
            self.init(name: String(parts[0]), publicKey: key)
            guard keyID == id else { return nil }
        }

        public var description: String {
            "\(name)+\(keyID.hexString)+\((Data([0x01]) + publicKey.rawRepresentation).base64EncodedString())"
        }

        public static func == (lhs: VerifierKey, rhs: VerifierKey) -> Bool { lhs.description == rhs.description }
        public func hash(into hasher: inout Hasher) { hasher.combine(description) }
    }

    /// First four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
    public static func keyID(name: String, publicKey: Curve25519.Signing.PublicKey) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, 0x01])
        hasher.update(data: publicKey.rawRepresentation)
        return Array(hasher.finalize().prefix(4))
    }

    /// A key name: non-empty, no whitespace, no `+`.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// Signs `text` (which must end with a newline) and returns the whole note.
    public static func sign(_ text: String, name: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        precondition(text.hasSuffix("\n") && isValidName(name))
        let signature = try key.signature(for: Array(text.utf8))
        let id = keyID(name: name, publicKey: key.publicKey)
        return text + "\n" + "\u{2014} \(name) \((Data(id) + signature).base64EncodedString())\n"
    }

    /// The text of `note` if it carries a valid signature by `key`; nil otherwise.
    public static func open(_ note: String, key: VerifierKey) -> String? {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return nil }
        let text = String(note[..<split.lowerBound]) + "\n"
        let signatureBlock = note[split.upperBound...]
        guard signatureBlock.hasSuffix("\n") else { return nil }
        for line in signatureBlock.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "\u{2014}" else { return nil }
            guard fields[1] == key.name, let blob = Data(base64Encoded: String(fields[2])), blob.count == 68, Array(blob.prefix(4)) == key.keyID else { continue }
            if key.publicKey.isValidSignature(blob.dropFirst(4), for: Array(text.utf8)) { return text }
        }
        return nil
    }
}

