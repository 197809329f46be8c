import Foundation

/// The C2SP tlog-checkpoint body: origin line, decimal tree size, base64 root, each ending
/// in a newline (c2sp.org/tlog-checkpoint).
public struct CheckpointText: Sendable, Hashable {
    public var origin: String
    public var size: Int64
    public var root: Merkle.Hash

    public init(origin: String, size: Int64, root: Merkle.Hash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var text: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// Parses a checkpoint body (extension lines after the root are allowed and ignored).
    public init?(parsing text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, !lines[0].isEmpty,
              let size = Int64(lines[1]), size >= 0, String(size) == lines[1],
              let root = Data(base64Encoded: String(lines[2])), root.count == 32
        else { return nil }
        self.init(origin: String(lines[0]), size: size, root: Array(root))
    }
}
