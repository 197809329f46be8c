import Crypto
import Foundation
import Messages
@testable import Records
import Testing

/// The standard vectors (RFC 9162 definitions, transparency-dev/merkle test data, the
/// golang.org/x/mod signed-note test), from Fixtures/transparency-log.json.
@Suite("RFC 9162 and C2SP vectors")
struct MerkleVectorTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable { var index: Int64; var size: Int64; var path: [String] }
        struct Consistency: Decodable { var first: Int64; var second: Int64; var proof: [String] }
        struct Note: Decodable { var verifier_key: String; var text: String; var signature_line: String }
        var leaves_hex: [String]
        var leaf_hashes: [String]
        var roots: [String: String]
        var inclusion: [Inclusion]
        var consistency: [Consistency]
        var signed_note: Note
    }

    static let vectors: Vectors = {
        let url = Bundle.module.url(forResource: "transparency-log", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    static let leaves: [[UInt8]] = vectors.leaves_hex.map { [UInt8](hex: $0)! }

    /// An in-memory tree of the first `size` vector leaves, by stored perfect subtrees.
    static func tree(_ size: Int) -> [NodeID: Merkle.Hash] {
        var range = CompactRange()
        var nodes: [NodeID: Merkle.Hash] = [:]
        for leaf in leaves.prefix(size) {
            for (id, hash) in range.append(leafHash: Merkle.leafHash(leaf)) { nodes[id] = hash }
        }
        return nodes
    }

    @Test func leafHashes() {
        for (leaf, expected) in zip(Self.leaves, Self.vectors.leaf_hashes) {
            #expect(Merkle.leafHash(leaf).hexString == expected)
        }
    }

    @Test("roots of sizes 0 to 8", arguments: 0...8)
    func roots(size: Int) {
        let nodes = Self.tree(size)
        let expected = Self.vectors.roots[String(size)]!
        #expect(MerkleProofs.root(size: Int64(size)) { nodes[$0]! }.hexString == expected)
        var range = CompactRange()
        for leaf in Self.leaves.prefix(size) { _ = range.append(leafHash: Merkle.leafHash(leaf)) }
        #expect(range.root.hexString == expected)
        #expect(CompactRange(size: Int64(size)) { nodes[$0]! } == range)
    }

    @Test func inclusionProofs() {
        for vector in Self.vectors.inclusion {
            let nodes = Self.tree(Int(vector.size))
            let proof = MerkleProofs.inclusion(index: vector.index, size: vector.size) { nodes[$0]! }
            #expect(proof.map(\.hexString) == vector.path, "index \(vector.index) size \(vector.size)")
            let root = [UInt8](hex: Self.vectors.roots[String(vector.size)]!)!
            #expect(MerkleVerifier.verifyInclusion(index: vector.index, size: vector.size, leafHash: Merkle.leafHash(Self.leaves[Int(vector.index)]), proof: proof, root: root))
        }
    }

    @Test func consistencyProofs() {
        for vector in Self.vectors.consistency {
            let nodes = Self.tree(Int(vector.second))
            let proof = MerkleProofs.consistency(first: vector.first, second: vector.second) { nodes[$0]! }
            #expect(proof.map(\.hexString) == vector.proof, "\(vector.first) → \(vector.second)")
            let first = [UInt8](hex: Self.vectors.roots[String(vector.first)]!)!
            let second = [UInt8](hex: Self.vectors.roots[String(vector.second)]!)!
            #expect(MerkleVerifier.verifyConsistency(first: vector.first, second: vector.second, firstRoot: first, secondRoot: second, proof: proof))
        }
    }

    @Test func signedNoteVector() throws {
        let note = Self.vectors.signed_note
        let key = try #require(SignedNote.VerifierKey(note.verifier_key))
        #expect(key.name == "PeterNeumann")
        #expect(key.description == note.verifier_key)
        let signed = note.text + "\n" + note.signature_line + "\n"
        #expect(SignedNote.open(signed, key: key) == note.text)
        // One changed character in the text, or another key, and it no longer opens.
        #expect(SignedNote.open(signed.replacingOccurrences(of: "cryptography", with: "cryptographY"), key: key) == nil)
        let other = SignedNote.VerifierKey(name: "PeterNeumann", publicKey: Curve25519.Signing.PrivateKey().publicKey)
        #expect(SignedNote.open(signed, key: other) == nil)
        #expect(SignedNote.VerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") == nil, "a wrong key id is refused")
    }

    @Test func ourCheckpointsRoundTrip() throws {
        let signer = CheckpointSigner(origin: "example.org/records", key: Curve25519.Signing.PrivateKey())
        let checkpoint = try signer.sign(size: 8, root: [UInt8](hex: Self.vectors.roots["8"]!)!)
        let root = Data([UInt8](hex: Self.vectors.roots["8"]!)!).base64EncodedString()
        #expect(checkpoint.note.hasPrefix("example.org/records\n8\n\(root)\n\n\u{2014} example.org/records "))
        let body = try CheckpointVerifier.verify(checkpoint, key: try #require(SignedNote.VerifierKey(signer.verifierKey.description)))
        #expect(body.size == 8)
        var forged = checkpoint
        forged.size = 9
        #expect(throws: VerificationFailure.self) { try CheckpointVerifier.verify(forged, key: signer.verifierKey) }
        forged = checkpoint
        forged.note = forged.note.replacingOccurrences(of: "\n8\n", with: "\n9\n")
        #expect(throws: VerificationFailure.self) { try CheckpointVerifier.verify(forged, key: signer.verifierKey) }
    }
}
