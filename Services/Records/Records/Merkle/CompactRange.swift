/// The right edge of the tree: the perfect subtrees that make up a tree of `size` leaves
/// (one per set bit of `size`, largest first). Appending needs only these, so the sequencer
/// keeps them in memory and an append computes its new nodes without reading the store.
public struct CompactRange: Sendable, Equatable {
    public private(set) var size: Int64 = 0
    /// (node, hash), left to right.
    public private(set) var peaks: [(NodeID, Merkle.Hash)] = []

    public init() {}

    /// Rebuilds the range of a tree of `size` from stored nodes.
    public init(size: Int64, _ node: (NodeID) throws -> Merkle.Hash) rethrows {
        self.size = size
        var start: Int64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (Int64(1) << level) != 0 {
            let id = NodeID(level: level, index: start >> level)
            peaks.append((id, try node(id)))
            start += Int64(1) << level
        }
    }

    /// Appends a leaf; returns every node that became complete (the leaf itself first).
    public mutating func append(leafHash: Merkle.Hash) -> [(NodeID, Merkle.Hash)] {
        var created: [(NodeID, Merkle.Hash)] = [(NodeID(level: 0, index: size), leafHash)]
        var current = (NodeID(level: 0, index: size), leafHash)
        while let last = peaks.last, last.0.level == current.0.level {
            peaks.removeLast()
            current = (NodeID(level: current.0.level + 1, index: last.0.index >> 1), Merkle.nodeHash(last.1, current.1))
            created.append(current)
        }
        peaks.append(current)
        size += 1
        return created
    }

    /// The tree head.
    public var root: Merkle.Hash {
        guard var accumulator = peaks.last?.1 else { return Merkle.emptyRoot }
        for (_, hash) in peaks.dropLast().reversed() { accumulator = Merkle.nodeHash(hash, accumulator) }
        return accumulator
    }

    public static func == (lhs: CompactRange, rhs: CompactRange) -> Bool {
        lhs.size == rhs.size && lhs.peaks.map(\.0) == rhs.peaks.map(\.0) && lhs.peaks.map(\.1) == rhs.peaks.map(\.1)
    }
}
