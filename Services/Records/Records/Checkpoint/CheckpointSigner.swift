public import Crypto
import Foundation
public import Messages

/// Signs checkpoints with the log's Ed25519 key as C2SP signed notes.
public struct CheckpointSigner: Sendable {
    public let origin: String
    let key: Curve25519.Signing.PrivateKey

    /// - Parameters:
    ///   - origin: the checkpoint's first line and the key's name, e.g.
    ///     `oslo.kommune.no/tenderdialogue/records`.
    public init(origin: String, key: Curve25519.Signing.PrivateKey) {
        precondition(SignedNote.isValidName(origin), "the origin must be a key name: no spaces, no '+'")
        self.origin = origin
        self.key = key
    }

    public var verifierKey: SignedNote.VerifierKey { SignedNote.VerifierKey(name: origin, publicKey: key.publicKey) }

    public func sign(size: Int64, root: Merkle.Hash) throws -> Checkpoint {
        let body = CheckpointText(origin: origin, size: size, root: root)
        return Checkpoint(note: try SignedNote.sign(body.text, name: origin, key: key), size: size, root: Data(root).base64EncodedString())
    }
}

/// Checks a checkpoint as an auditor does: the signature with only the verifier key, and
/// that the JSON fields repeat the signed body.
public enum CheckpointVerifier {
    public static func verify(_ checkpoint: Checkpoint, key: SignedNote.VerifierKey) throws(VerificationFailure) -> CheckpointText {
        guard let text = SignedNote.open(checkpoint.note, key: key) else {
            throw VerificationFailure("the checkpoint is not signed by \(key.name) (signature missing or invalid)")
        }
        guard let body = CheckpointText(parsing: text) else { throw VerificationFailure("the signed checkpoint body is malformed") }
        guard body.origin == key.name else { throw VerificationFailure("the checkpoint's origin '\(body.origin)' is not the key's name '\(key.name)'") }
        guard body.size == checkpoint.size, Data(body.root).base64EncodedString() == checkpoint.root else {
            throw VerificationFailure("the size/root fields differ from the signed checkpoint body")
        }
        return body
    }
}

/// Why a verification failed, in words an auditor can act on.
public struct VerificationFailure: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
