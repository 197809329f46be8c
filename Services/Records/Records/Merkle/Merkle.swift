import Crypto

/// RFC 9162 §2.1 Merkle hashing: leaf `SHA-256(0x00 ‖ entry)`, node `SHA-256(0x01 ‖ l ‖ r)`,
/// a tree of n > 1 leaves split at the largest power of two smaller than n.
public enum Merkle {
    public typealias Hash = [UInt8]

    public static func leafHash(_ entry: some Sequence<UInt8>) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: Array(entry))
        return Array(hasher.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// The largest power of two strictly smaller than `n` (n ≥ 2).
    static func split(_ n: Int64) -> Int64 {
        precondition(n >= 2)
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    static func isPowerOfTwo(_ n: Int64) -> Bool { n > 0 && n & (n - 1) == 0 }

    static func log2(_ n: Int64) -> Int { 63 - n.leadingZeroBitCount }
}

/// Where a perfect subtree sits: `level` 0 is a leaf; node (level, index) covers leaves
/// `[index·2^level, (index+1)·2^level)`. These are the only nodes the record stores.
public struct NodeID: Hashable, Sendable {
    public var level: Int
    public var index: Int64

    public init(level: Int, index: Int64) {
        self.level = level
        self.index = index
    }
}

/// Proof construction over stored perfect-subtree hashes.
///
/// Every subtree RFC 9162's recursion asks for is either perfect and aligned (one stored
/// node) or a right edge that splits into O(log n) of them, so a proof reads O(log² n)
/// stored hashes at most and never the whole tree. The nodes needed depend only on the
/// sizes and index, so ``requiredNodes(…)`` lists them up front and a store can fetch them
/// in one query.
public enum MerkleProofs {
    /// MTH(D[a:b]) from perfect aligned subtrees.
    static func subtreeHash(_ a: Int64, _ b: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> Merkle.Hash {
        let n = b - a
        if Merkle.isPowerOfTwo(n) && a % n == 0 {
            let level = Merkle.log2(n)
            return try node(NodeID(level: level, index: a >> level))
        }
        let k = Merkle.split(n)
        return Merkle.nodeHash(try subtreeHash(a, a + k, node), try subtreeHash(a + k, b, node))
    }

    /// The root of the tree of `size` leaves.
    public static func root(size: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> Merkle.Hash {
        size == 0 ? Merkle.emptyRoot : try subtreeHash(0, size, node)
    }

    /// PATH(m, D[0:n]) of RFC 9162 §2.1.3.1.
    public static func inclusion(index m: Int64, size n: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> [Merkle.Hash] {
        precondition(m >= 0 && m < n)
        return try path(m, 0, n, node)
    }

    private static func path(_ m: Int64, _ a: Int64, _ b: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> [Merkle.Hash] {
        let n = b - a
        if n == 1 { return [] }
        let k = Merkle.split(n)
        if m < k {
            return try path(m, a, a + k, node) + [subtreeHash(a + k, b, node)]
        }
        return try path(m - k, a + k, b, node) + [subtreeHash(a, a + k, node)]
    }

    /// PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1, for 0 < m < n (empty when m == n).
    public static func consistency(first m: Int64, second n: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> [Merkle.Hash] {
        precondition(m > 0 && m <= n)
        if m == n { return [] }
        return try subproof(m, 0, n, true, node)
    }

    private static func subproof(_ m: Int64, _ a: Int64, _ b: Int64, _ complete: Bool, _ node: (NodeID) throws -> Merkle.Hash) rethrows -> [Merkle.Hash] {
        let n = b - a
        if m == n { return complete ? [] : [try subtreeHash(a, b, node)] }
        let k = Merkle.split(n)
        if m <= k {
            return try subproof(m, a, a + k, complete, node) + [subtreeHash(a + k, b, node)]
        }
        return try subproof(m - k, a + k, b, false, node) + [subtreeHash(a, a + k, node)]
    }

    /// The stored nodes a computation will read, found by running it with placeholders.
    public static func requiredNodes(_ computation: ((NodeID) -> Merkle.Hash) -> Void) -> Set<NodeID> {
        var needed = Set<NodeID>()
        let placeholder = Merkle.Hash(repeating: 0, count: 32)
        computation { id in
            needed.insert(id)
            return placeholder
        }
        return needed
    }
}
