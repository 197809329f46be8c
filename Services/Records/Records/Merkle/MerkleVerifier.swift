/// Verification of RFC 9162 proofs, needing nothing but the hashes (what an auditor runs).
public enum MerkleVerifier {
    /// RFC 9162 §2.1.3.2: does `proof` show leaf `leafHash` at `index` in the tree of
    /// `size` with `root`?
    public static func verifyInclusion(index: Int64, size: Int64, leafHash: Merkle.Hash, proof: [Merkle.Hash], root: Merkle.Hash) -> Bool {
        guard index >= 0, index < size, leafHash.count == 32, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = Merkle.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = Merkle.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: does `proof` show the tree of size `first` with `firstRoot` is a
    /// prefix of the tree of size `second` with `secondRoot`?
    public static func verifyConsistency(first: Int64, second: Int64, firstRoot: Merkle.Hash, secondRoot: Merkle.Hash, proof: [Merkle.Hash]) -> Bool {
        guard first >= 0, first <= second, proof.allSatisfy({ $0.count == 32 }) else { return false }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        if first == 0 { return proof.isEmpty }
        var path = proof
        guard !path.isEmpty else { return false }
        if Merkle.isPowerOfTwo(first) { path.insert(firstRoot, at: 0) }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = Merkle.nodeHash(c, fr)
                sr = Merkle.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = Merkle.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}
