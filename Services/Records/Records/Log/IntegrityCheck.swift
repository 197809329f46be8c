import Foundation
import Messages

/// At start-up: is the stored tree the one the last checkpoint signed?
///
/// Recomputes every leaf hash from the stored leaf bytes, every stored perfect-subtree hash
/// and the root of all leaves, and compares them with the last signed checkpoint — so a
/// changed entry, a changed hash, an extra or missing row is found.
enum IntegrityCheck {
    enum Verdict {
        case empty
        case consistent(CompactRange, Checkpoint)
        case inconsistent(String, Checkpoint)
    }

    static func run(store: RecordStore, verifier: SignedNote.VerifierKey) async throws -> Verdict {
        guard let stored = try await store.latestCheckpoint() else {
            let count = try await store.entryCount()
            if count == 0 { return .empty }
            let unsigned = Checkpoint(note: "", size: 0, root: Data(Merkle.emptyRoot).base64EncodedString())
            return .inconsistent("\(count) entries but no signed checkpoint", unsigned)
        }
        let checkpoint = Checkpoint(note: stored.note, size: stored.size, root: Data(stored.root).base64EncodedString())
        do {
            _ = try CheckpointVerifier.verify(checkpoint, key: verifier)
        } catch {
            return .inconsistent("the last checkpoint does not verify with this log's key: \(error)", checkpoint)
        }
        let count = try await store.entryCount()
        guard count == stored.size else {
            return .inconsistent("\(count) entries stored but the last checkpoint signs \(stored.size)", checkpoint)
        }
        // Recompute from the leaves, in pages.
        var range = CompactRange()
        var start: Int64 = 0
        while start < stored.size {
            let page = try await store.entries(from: start, toExclusive: min(start + 5000, stored.size))
            var computed: [NodeID: Merkle.Hash] = [:]
            for entry in page {
                guard entry.index == range.size else { return .inconsistent("entry \(range.size) is missing", checkpoint) }
                let hash = Merkle.leafHash(Array(entry.leaf.utf8))
                guard hash.hexString == entry.leafHash else {
                    return .inconsistent("entry \(entry.index): its stored leaf hash is not the hash of its leaf bytes", checkpoint)
                }
                for (id, node) in range.append(leafHash: hash) { computed[id] = node }
            }
            // Every stored subtree hash completed by this page, not only the right edge:
            // proofs read any of them.
            let storedNodes: [NodeID: Merkle.Hash]
            do {
                storedNodes = try await store.nodes(Set(computed.keys))
            } catch {
                return .inconsistent("\(error)", checkpoint)
            }
            for (id, hash) in computed where storedNodes[id] != hash {
                return .inconsistent("stored node \(id.level)/\(id.index) differs from the hash of its leaves", checkpoint)
            }
            start += 5000
        }
        guard range.root == stored.root else {
            return .inconsistent("the root of the stored leaves differs from the last signed checkpoint", checkpoint)
        }
        // The stored right edge, which proofs and appends rely on, must agree too.
        let peaks = Set(range.peaks.map(\.0))
        let storedPeaks = try await store.nodes(peaks)
        for (id, hash) in range.peaks where storedPeaks[id] != hash {
            return .inconsistent("stored node \(id.level)/\(id.index) differs from the hash of its leaves", checkpoint)
        }
        return .consistent(range, checkpoint)
    }
}
