import Foundation
import Messages
@testable import Records
import Testing

/// For random sizes every proof verifies, and every mutation of a good proof fails.
@Suite("Merkle proof properties")
struct MerklePropertyTests {
    struct Tree {
        var nodes: [NodeID: Merkle.Hash] = [:]
        var leafHashes: [Merkle.Hash] = []
        var roots: [Merkle.Hash] = [Merkle.emptyRoot]  // roots[n] = root of size n

        init(size: Int, seed: UInt64) {
            var generator = SplitMix(seed: seed)
            var range = CompactRange()
            for _ in 0..<size {
                let leaf = (0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                let hash = Merkle.leafHash(leaf)
                leafHashes.append(hash)
                for (id, h) in range.append(leafHash: hash) { nodes[id] = h }
                roots.append(range.root)
            }
        }
    }

    static let sizes: [Int] = [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33, 64, 100, 129, 257]

    @Test("every inclusion proof verifies and every mutation fails", arguments: sizes)
    func inclusion(size: Int) {
        let tree = Tree(size: size, seed: UInt64(size))
        var generator = SplitMix(seed: 99 + UInt64(size))
        for _ in 0..<20 {
            let n = Int64(1 + generator.next() % UInt64(size))
            let m = Int64(generator.next() % UInt64(n))
            let proof = MerkleProofs.inclusion(index: m, size: n) { tree.nodes[$0]! }
            let root = tree.roots[Int(n)]
            let leaf = tree.leafHashes[Int(m)]
            #expect(MerkleVerifier.verifyInclusion(index: m, size: n, leafHash: leaf, proof: proof, root: root))
            for (label, mutated) in Self.mutations(of: proof, generator: &generator) {
                #expect(!MerkleVerifier.verifyInclusion(index: m, size: n, leafHash: leaf, proof: mutated, root: root), "\(label) m=\(m) n=\(n)")
            }
            if m + 1 < n { #expect(!MerkleVerifier.verifyInclusion(index: m + 1, size: n, leafHash: leaf, proof: proof, root: root), "index+1") }
            if m > 0 { #expect(!MerkleVerifier.verifyInclusion(index: m - 1, size: n, leafHash: leaf, proof: proof, root: root), "index-1") }
            if n * 2 <= Int64(size), n > 1 { #expect(!MerkleVerifier.verifyInclusion(index: m, size: n * 2, leafHash: leaf, proof: proof, root: root), "size*2") }
            if n > 1, m < n / 2 { #expect(!MerkleVerifier.verifyInclusion(index: m, size: n / 2, leafHash: leaf, proof: proof, root: root), "size/2") }
            #expect(!MerkleVerifier.verifyInclusion(index: m, size: n, leafHash: Self.flip(leaf, bit: 3), proof: proof, root: root), "leaf changed")
            #expect(!MerkleVerifier.verifyInclusion(index: m, size: n, leafHash: leaf, proof: proof, root: Self.flip(root, bit: 0)), "root changed")
        }
    }

    @Test("every consistency proof verifies and every mutation fails", arguments: sizes)
    func consistency(size: Int) {
        let tree = Tree(size: size, seed: 7 + UInt64(size))
        var generator = SplitMix(seed: 1234 + UInt64(size))
        for _ in 0..<20 {
            let n = Int64(1 + generator.next() % UInt64(size))
            let m = Int64(1 + generator.next() % UInt64(n))
            let proof = MerkleProofs.consistency(first: m, second: n) { tree.nodes[$0]! }
            let (first, second) = (tree.roots[Int(m)], tree.roots[Int(n)])
            #expect(MerkleVerifier.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, proof: proof))
            guard m < n else { continue }
            for (label, mutated) in Self.mutations(of: proof, generator: &generator) {
                #expect(!MerkleVerifier.verifyConsistency(first: m, second: n, firstRoot: first, secondRoot: second, proof: mutated), "\(label) \(m)→\(n)")
            }
            #expect(!MerkleVerifier.verifyConsistency(first: m, second: n, firstRoot: second, secondRoot: first, proof: proof), "roots swapped")
            #expect(!MerkleVerifier.verifyConsistency(first: m, second: n, firstRoot: Self.flip(first, bit: 1), secondRoot: second, proof: proof), "first root changed")
            if m + 1 < n { #expect(!MerkleVerifier.verifyConsistency(first: m + 1, second: n, firstRoot: first, secondRoot: second, proof: proof), "first+1") }
            if n * 2 <= Int64(size) { #expect(!MerkleVerifier.verifyConsistency(first: m, second: n * 2, firstRoot: first, secondRoot: second, proof: proof), "second*2") }
        }
    }

    /// Truncated, extended at either end, one bit flipped, an element dropped.
    static func mutations(of proof: [Merkle.Hash], generator: inout SplitMix) -> [(String, [Merkle.Hash])] {
        var result: [(String, [Merkle.Hash])] = []
        let extra = (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        result.append(("appended", proof + [extra]))
        result.append(("prepended", [extra] + proof))
        if !proof.isEmpty {
            result.append(("truncated", Array(proof.dropLast())))
            result.append(("first dropped", Array(proof.dropFirst())))
            let position = Int(generator.next() % UInt64(proof.count))
            var flipped = proof
            flipped[position] = flip(flipped[position], bit: Int(generator.next() % 256))
            result.append(("bit flipped", flipped))
        }
        return result
    }

    static func flip(_ hash: Merkle.Hash, bit: Int) -> Merkle.Hash {
        var copy = hash
        copy[bit / 8 % copy.count] ^= UInt8(1 << (bit % 8))
        return copy
    }
}

/// A small deterministic generator, so a failing case can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
