/// `tender.records.v1.RecordsService`: the verifiable procurement record (DESIGN.md §5).
///
/// The shapes of the read methods are fixed so third parties can check the record with
/// their own code: hashes are base64, `leaf` is the exact bytes that were hashed.
public enum RecordsAPI {
    public static let service = "tender.records.v1.RecordsService"

    /// Appends one event (services only); idempotent by event id.
    public static let append = Method<AppendRequest, AppendResponse>(service: service, name: "Append", kind: .mutating, access: .roles([.service]))
    /// The latest signed checkpoint.
    public static let getCheckpoint = Method<GetCheckpointRequest, Checkpoint>(service: service, name: "GetCheckpoint", kind: .idempotent, access: .everyone)
    /// A range of entries (at most ``maxEntriesPerPage``).
    public static let getEntries = Method<GetEntriesRequest, GetEntriesResponse>(service: service, name: "GetEntries", kind: .idempotent, access: .everyone)
    public static let getEntry = Method<GetEntryRequest, RecordEntry>(service: service, name: "GetEntry", kind: .idempotent, access: .everyone)
    /// Inclusion of an entry (by index or leaf hash) in the tree of a given size.
    public static let proveInclusion = Method<ProveInclusionRequest, InclusionProof>(service: service, name: "ProveInclusion", kind: .idempotent, access: .everyone)
    /// Consistency of the tree of size `first` with the tree of size `second`.
    public static let proveConsistency = Method<ProveConsistencyRequest, ConsistencyProof>(service: service, name: "ProveConsistency", kind: .idempotent, access: .everyone)

    public static let maxEntriesPerPage = 1000
}

public struct AppendRequest: Codable, Sendable {
    public var event: ProcurementEvent
    public init(event: ProcurementEvent) { self.event = event }
}

public struct AppendResponse: Codable, Sendable, Hashable {
    /// The entry's index in the log (0-based).
    public var index: Int64
    /// Base64 of the RFC 9162 leaf hash.
    public var leafHash: String
    /// True when the event id was already in the log (nothing was appended).
    public var duplicate: Bool
    public init(index: Int64, leafHash: String, duplicate: Bool) {
        self.index = index
        self.leafHash = leafHash
        self.duplicate = duplicate
    }
}

public struct GetCheckpointRequest: Codable, Sendable { public init() {} }

/// A signed checkpoint: `note` is the whole C2SP signed note (checkpoint body, blank line,
/// signature lines); `size` and `root` repeat what the body says.
public struct Checkpoint: Codable, Sendable, Hashable {
    public var note: String
    public var size: Int64
    /// Base64 of the tree head.
    public var root: String
    public init(note: String, size: Int64, root: String) {
        self.note = note
        self.size = size
        self.root = root
    }
}

public struct GetEntriesRequest: Codable, Sendable {
    public var start: Int64
    public var count: Int64
    public init(start: Int64, count: Int64) {
        self.start = start
        self.count = count
    }
}

public struct GetEntriesResponse: Codable, Sendable {
    public var entries: [RecordEntry]
    public init(entries: [RecordEntry]) { self.entries = entries }
}

public struct GetEntryRequest: Codable, Sendable {
    public var index: Int64
    public init(index: Int64) { self.index = index }
}

/// One entry: the exact leaf bytes (base64) beside the decoded event.
public struct RecordEntry: Codable, Sendable, Hashable {
    public var index: Int64
    public var leaf: String
    public var event: ProcurementEvent
    public init(index: Int64, leaf: String, event: ProcurementEvent) {
        self.index = index
        self.leaf = leaf
        self.event = event
    }
}

public struct ProveInclusionRequest: Codable, Sendable {
    /// The entry, by index…
    public var index: Int64?
    /// …or by its leaf hash (base64).
    public var leafHash: String?
    public var treeSize: Int64
    public init(index: Int64? = nil, leafHash: String? = nil, treeSize: Int64) {
        self.index = index
        self.leafHash = leafHash
        self.treeSize = treeSize
    }
}

public struct InclusionProof: Codable, Sendable, Hashable {
    public var leafIndex: Int64
    public var treeSize: Int64
    public var leafHash: String
    public var hashes: [String]
    public init(leafIndex: Int64, treeSize: Int64, leafHash: String, hashes: [String]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.hashes = hashes
    }
}

public struct ProveConsistencyRequest: Codable, Sendable {
    public var first: Int64
    public var second: Int64
    public init(first: Int64, second: Int64) {
        self.first = first
        self.second = second
    }
}

public struct ConsistencyProof: Codable, Sendable, Hashable {
    public var first: Int64
    public var second: Int64
    public var hashes: [String]
    public init(first: Int64, second: Int64, hashes: [String]) {
        self.first = first
        self.second = second
        self.hashes = hashes
    }
}
