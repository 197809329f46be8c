import Foundation
import Messages
public import RPC

/// The methods of `tender.records.v1.RecordsService` over a ``RecordLog``.
public struct RecordsHandlers: Sendable {
    let log: RecordLog
    let publication: PublicationSettings

    public init(log: RecordLog, publication: PublicationSettings) {
        self.log = log
        self.publication = publication
    }

    public var router: RPCRouter {
        var router = RPCRouter()
        router.register(RecordsAPI.append) { request, _ in try await log.append(request.event) }
        router.register(RecordsAPI.getCheckpoint) { _, _ in try await log.current() }
        router.register(RecordsAPI.getEntries) { request, _ in try await entries(request) }
        router.register(RecordsAPI.getEntry) { request, _ in
            guard request.index >= 0 else { throw RPCError.invalidField("index", "must not be negative") }
            guard let entry = try await entries(GetEntriesRequest(start: request.index, count: 1)).entries.first else {
                throw RPCError(.notFound, "no entry \(request.index)")
            }
            return entry
        }
        router.register(RecordsAPI.proveInclusion) { request, _ in try await proveInclusion(request) }
        router.register(RecordsAPI.proveConsistency) { request, _ in try await proveConsistency(request) }
        registerPublication(&router)
        return router
    }

    func entries(_ request: GetEntriesRequest) async throws -> GetEntriesResponse {
        let size = try await log.currentSize()
        guard request.start >= 0 else { throw RPCError.invalidField("start", "must not be negative") }
        guard (1...Int64(RecordsAPI.maxEntriesPerPage)).contains(request.count) else {
            throw RPCError.invalidField("count", "must be 1 to \(RecordsAPI.maxEntriesPerPage)")
        }
        guard request.start < size else { throw RPCError(.outOfRange, "start \(request.start) is past the end of the log (size \(size))") }
        let stored = try await log.store.entries(from: request.start, toExclusive: min(request.start + request.count, size))
        return GetEntriesResponse(entries: try stored.map(Self.entry))
    }

    static func entry(_ stored: RecordStore.StoredEntry) throws -> RecordEntry {
        let bytes = Data(stored.leaf.utf8)
        guard let event = try? JSONCoding.decoder().decode(ProcurementEvent.self, from: bytes) else {
            throw RPCError(.dataLoss, "entry \(stored.index) does not decode as an event")
        }
        return RecordEntry(index: stored.index, leaf: bytes.base64EncodedString(), event: event)
    }

    func proveInclusion(_ request: ProveInclusionRequest) async throws -> InclusionProof {
        let size = try await log.currentSize()
        guard (1...max(size, 1)).contains(request.treeSize), request.treeSize <= size else {
            throw RPCError(.outOfRange, "treeSize must be 1 to \(size), the size of the latest checkpoint")
        }
        let index: Int64
        switch (request.index, request.leafHash) {
        case (let given?, nil):
            guard given >= 0 && given < request.treeSize else { throw RPCError(.outOfRange, "index \(given) is not in a tree of size \(request.treeSize)") }
            index = given
        case (nil, let hash?):
            guard let bytes = Data(base64Encoded: hash), bytes.count == 32 else { throw RPCError.invalidField("leafHash", "must be base64 of 32 bytes") }
            guard let found = try await log.store.index(ofLeafHash: Array(bytes)), found < request.treeSize else {
                throw RPCError(.notFound, "no entry with that leaf hash in a tree of size \(request.treeSize)")
            }
            index = found
        default:
            throw RPCError.invalidField("index", "give exactly one of index and leafHash")
        }
        let treeSize = request.treeSize
        let needed = MerkleProofs.requiredNodes { node in _ = MerkleProofs.inclusion(index: index, size: treeSize, node) }
        let leafID = NodeID(level: 0, index: index)
        let nodes = try await log.store.nodes(needed.union([leafID]))
        let path = MerkleProofs.inclusion(index: index, size: treeSize) { nodes[$0]! }
        return InclusionProof(
            leafIndex: index, treeSize: treeSize, leafHash: Data(nodes[leafID]!).base64EncodedString(),
            hashes: path.map { Data($0).base64EncodedString() })
    }

    func proveConsistency(_ request: ProveConsistencyRequest) async throws -> ConsistencyProof {
        let size = try await log.currentSize()
        guard request.first >= 1 else { throw RPCError.invalidField("first", "must be at least 1") }
        guard request.first <= request.second else { throw RPCError.invalidField("second", "must not be smaller than first") }
        guard request.second <= size else { throw RPCError(.outOfRange, "second must be at most \(size), the size of the latest checkpoint") }
        let (first, second) = (request.first, request.second)
        let needed = MerkleProofs.requiredNodes { node in _ = MerkleProofs.consistency(first: first, second: second, node) }
        let nodes = try await log.store.nodes(needed)
        let proof = MerkleProofs.consistency(first: first, second: second) { nodes[$0]! }
        return ConsistencyProof(first: first, second: second, hashes: proof.map { Data($0).base64EncodedString() })
    }
}

/// Where published documents say they come from.
public struct PublicationSettings: Sendable {
    /// OCDS ocid prefix (`records.ocidPrefix`, default `ocds-tenderdialogue`).
    public var ocidPrefix: String
    /// The publisher named in OCDS packages (`records.publisher`, default `TenderDialogue`).
    public var publisher: String

    public init(ocidPrefix: String = "ocds-tenderdialogue", publisher: String = "TenderDialogue") {
        self.ocidPrefix = ocidPrefix
        self.publisher = publisher
    }
}
