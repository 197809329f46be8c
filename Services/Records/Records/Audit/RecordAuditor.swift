import Foundation
import Messages
public import RPC

/// What an auditor checks with nothing but the log's verifier key: the checkpoint's
/// signature, that the log only grew since the checkpoint it trusted before, and that given
/// entries are in it exactly as served.
public struct RecordAuditor: Sendable {
    let client: RPCClient
    let key: SignedNote.VerifierKey

    public init(client: RPCClient, key: SignedNote.VerifierKey) {
        self.client = client
        self.key = key
    }

    /// The state an auditor keeps between runs: the last checkpoint it verified.
    public struct TrustedState: Codable, Sendable, Equatable {
        public var size: Int64
        public var root: String
        public var note: String
    }

    public struct Report: Sendable {
        public var checkpoint: CheckpointText
        public var previous: TrustedState?
        public var entriesVerified: [Int64]
        public var newState: TrustedState
    }

    /// Verifies the current checkpoint against `trusted`, and the inclusion of `entries`.
    /// Throws ``VerificationFailure`` naming exactly what does not hold.
    public func verify(trusted: TrustedState?, entries: [Int64]) async throws -> Report {
        let checkpoint: Checkpoint
        do {
            checkpoint = try await client.call(RecordsAPI.getCheckpoint, GetCheckpointRequest())
        } catch {
            throw VerificationFailure("cannot fetch the checkpoint: \(error)")
        }
        let body = try CheckpointVerifier.verify(checkpoint, key: key)

        if let trusted {
            guard let trustedRoot = Data(base64Encoded: trusted.root).map(Array.init), trustedRoot.count == 32 else {
                throw VerificationFailure("the trusted state's root is malformed")
            }
            guard body.size >= trusted.size else {
                throw VerificationFailure("the log shrank: the trusted checkpoint had \(trusted.size) entries, the new one \(body.size)")
            }
            if body.size == trusted.size {
                guard body.root == trustedRoot else {
                    throw VerificationFailure("two different roots signed for size \(body.size): the log was rewritten")
                }
            } else if trusted.size > 0 {
                let proof: ConsistencyProof
                do {
                    proof = try await client.call(RecordsAPI.proveConsistency, ProveConsistencyRequest(first: trusted.size, second: body.size))
                } catch {
                    throw VerificationFailure("cannot fetch a consistency proof \(trusted.size) → \(body.size): \(error)")
                }
                let hashes = try Self.decode(proof.hashes, what: "consistency proof")
                guard MerkleVerifier.verifyConsistency(first: trusted.size, second: body.size, firstRoot: trustedRoot, secondRoot: body.root, proof: hashes) else {
                    throw VerificationFailure("the log is not an extension of the trusted checkpoint (size \(trusted.size)): the consistency proof to size \(body.size) fails")
                }
            }
        }

        for index in entries {
            guard index >= 0 && index < body.size else {
                throw VerificationFailure("entry \(index) is not in the log of size \(body.size)")
            }
            let entry: RecordEntry
            let proof: InclusionProof
            do {
                entry = try await client.call(RecordsAPI.getEntry, GetEntryRequest(index: index))
                proof = try await client.call(RecordsAPI.proveInclusion, ProveInclusionRequest(index: index, treeSize: body.size))
            } catch {
                throw VerificationFailure("cannot fetch entry \(index) or its proof: \(error)")
            }
            guard let leaf = Data(base64Encoded: entry.leaf) else { throw VerificationFailure("entry \(index): the leaf is not base64") }
            let leafHash = Merkle.leafHash(Array(leaf))
            guard Data(leafHash).base64EncodedString() == proof.leafHash else {
                throw VerificationFailure("entry \(index): the served leaf bytes do not hash to the leaf hash in the inclusion proof")
            }
            let hashes = try Self.decode(proof.hashes, what: "inclusion proof of entry \(index)")
            guard proof.leafIndex == index, proof.treeSize == body.size,
                  MerkleVerifier.verifyInclusion(index: index, size: body.size, leafHash: leafHash, proof: hashes, root: body.root)
            else {
                throw VerificationFailure("entry \(index) is not in the signed tree of size \(body.size): its inclusion proof fails")
            }
            guard (try? CanonicalJSON.encode(entry.event)) == leaf else {
                throw VerificationFailure("entry \(index): the decoded event served beside the leaf differs from the leaf bytes")
            }
        }
        let state = TrustedState(size: body.size, root: Data(body.root).base64EncodedString(), note: checkpoint.note)
        return Report(checkpoint: body, previous: trusted, entriesVerified: entries, newState: state)
    }

    static func decode(_ hashes: [String], what: String) throws -> [Merkle.Hash] {
        try hashes.map { text in
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else { throw VerificationFailure("\(what): a hash is not base64 of 32 bytes") }
            return Array(bytes)
        }
    }
}
