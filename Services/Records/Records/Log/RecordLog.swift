import Crypto
import Foundation
public import Logging
public import Messages
import Metrics
import RPC
import SQLKit
public import ServiceKit

/// The append-only log: sequences appends without gaps or duplicates, commits them in
/// groups (one transaction per batch, with the batch's new tree nodes and a new signed
/// checkpoint), and answers reads and proofs from the stored hashes.
///
/// Only this actor writes, and it signs a checkpoint only for a tree it extended from the
/// previous signed one, so two inconsistent checkpoints are never signed.
public actor RecordLog {
    struct Pending {
        let event: ProcurementEvent
        let leaf: String
        let continuation: CheckedContinuation<AppendResponse, any Error>
    }

    let store: RecordStore
    let signer: CheckpointSigner
    let logger: Logger
    let maxBatch: Int
    private var range: CompactRange
    private var latest: Checkpoint
    private var pending: [Pending] = []
    private var flushing = false
    /// Set when the stored tree does not match the last signed checkpoint: reads go on,
    /// writes are refused with `data_loss` until an operator investigates.
    public private(set) var integrityFailure: String?
    /// Whether this replica appends. With PostgreSQL only the holder of the writer lock
    /// does (``WriterElection``); the others serve reads and proofs from the shared tables.
    public private(set) var isWriter: Bool

    /// Opens the log, checking the stored tree against the last signed checkpoint.
    /// - Parameter asWriter: false for a replica that waits for the writer lock.
    public static func open(database: Database, signer: CheckpointSigner, logger: Logger, maxBatch: Int = 256, asWriter: Bool = true) async throws -> RecordLog {
        let log = RecordLog(
            store: RecordStore(database: database), signer: signer, logger: logger, maxBatch: maxBatch,
            range: CompactRange(), latest: try signer.sign(size: 0, root: Merkle.emptyRoot), isWriter: false)
        try await log.load()
        if asWriter { await log.setWriter(true) }
        return log
    }

    init(store: RecordStore, signer: CheckpointSigner, logger: Logger, maxBatch: Int, range: CompactRange, latest: Checkpoint, isWriter: Bool) {
        self.store = store
        self.signer = signer
        self.logger = logger
        self.maxBatch = maxBatch
        self.range = range
        self.latest = latest
        self.isWriter = isWriter
    }

    /// Reads the tree from the store and checks it against the last signed checkpoint.
    func load() async throws {
        defer {
            Gauge(label: "records_integrity_ok").record(integrityFailure == nil ? 1 : 0)
            Gauge(label: "records_log_size").record(latest.size)
        }
        switch try await IntegrityCheck.run(store: store, verifier: signer.verifierKey) {
        case .empty:
            range = CompactRange()
            latest = try signer.sign(size: 0, root: Merkle.emptyRoot)
            integrityFailure = nil
        case .consistent(let loaded, let checkpoint):
            range = loaded
            latest = checkpoint
            integrityFailure = nil
        case .inconsistent(let reason, let checkpoint):
            logger.critical("the stored record does not match its last signed checkpoint; refusing writes", metadata: ["reason": .string(reason)])
            range = CompactRange()
            latest = checkpoint
            integrityFailure = reason
        }
    }

    private func setWriter(_ writer: Bool) { isWriter = writer }

    /// This replica now holds the writer lock: reload what the previous writer committed,
    /// so the next checkpoint extends the last one signed.
    public func becomeWriter() async throws {
        try await load()
        isWriter = true
        logger.info("this replica is the record's writer", metadata: ["size": .stringConvertible(range.size)])
    }

    /// This replica lost (or never had) the writer lock.
    public func becomeFollower() {
        if isWriter { logger.warning("this replica is no longer the record's writer") }
        isWriter = false
    }

    /// The latest signed checkpoint; a follower reads it from the shared store first.
    public func current() async throws -> Checkpoint {
        if !isWriter, let stored = try await store.latestCheckpoint(), stored.size > latest.size {
            latest = Checkpoint(note: stored.note, size: stored.size, root: Data(stored.root).base64EncodedString())
        }
        return latest
    }

    /// The size of the latest signed checkpoint: what reads and proofs are served against
    /// (also after a failed integrity check, so auditors can see what is stored).
    public func currentSize() async throws -> Int64 { try await current().size }

    /// Appends `event`; a repeated event id returns the first index with `duplicate: true`.
    public nonisolated func append(_ event: ProcurementEvent) async throws -> AppendResponse {
        // The canonical JSON is made here, off the actor, so concurrent appends encode on every
        // core instead of one after another on the actor (12 % of the append path's CPU).
        let leaf = String(decoding: try event.canonicalBytes(), as: UTF8.self)
        return try await enqueue(event, leaf: leaf)
    }

    private func enqueue(_ event: ProcurementEvent, leaf: String) async throws -> AppendResponse {
        guard isWriter else { throw RPCError(.unavailable, "this replica is not the record's writer; retry") }
        if let integrityFailure { throw RPCError(.dataLoss, "the record failed its integrity check; writes are refused: \(integrityFailure)") }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(event: event, leaf: leaf, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let results = try await commit(batch)
                for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
            } catch {
                let failure = (error as? RPCError) ?? RPCError(.unavailable, "the record could not be written; retry")
                logger.error("append batch failed", metadata: ["size": .stringConvertible(batch.count), "error_type": .string(String(reflecting: type(of: error)))])
                for item in batch { item.continuation.resume(throwing: failure) }
            }
        }
        flushing = false
    }

    /// One transaction: new entries, their nodes, and the checkpoint of the extended tree.
    private func commit(_ batch: [Pending]) async throws -> [Result<AppendResponse, RPCError>] {
        let started = ContinuousClock.now
        let current = range
        let outcome = try await store.database.transaction { [store, signer] tx -> CommitOutcome in
            let existing = try await store.existing(eventIDs: batch.map(\.event.id.rawValue), on: tx)
            var assigned: [String: AppendResponse] = [:]
            var rows: [(index: Int64, event: ProcurementEvent, leaf: String, leafHash: Merkle.Hash)] = []
            var nodes: [(NodeID, Merkle.Hash)] = []
            var results: [Result<AppendResponse, RPCError>] = []
            var working = current
            for item in batch {
                let id = item.event.id.rawValue
                let leafHash = Merkle.leafHash(Array(item.leaf.utf8))
                // The same id with other content is not a repeat: the first event stands.
                if let (index, hash) = existing[id] {
                    results.append(hash == leafHash.hexString
                        ? .success(AppendResponse(index: index, leafHash: Data([UInt8](hex: hash) ?? []).base64EncodedString(), duplicate: true))
                        : .failure(Self.conflict(id, index)))
                } else if let first = assigned[id] {
                    results.append(first.leafHash == Data(leafHash).base64EncodedString()
                        ? .success(AppendResponse(index: first.index, leafHash: first.leafHash, duplicate: true))
                        : .failure(Self.conflict(id, first.index)))
                } else {
                    let index = working.size
                    nodes += working.append(leafHash: leafHash)
                    rows.append((index, item.event, item.leaf, leafHash))
                    let response = AppendResponse(index: index, leafHash: Data(leafHash).base64EncodedString(), duplicate: false)
                    assigned[id] = response
                    results.append(.success(response))
                }
            }
            guard !rows.isEmpty else { return CommitOutcome(results: results, range: nil, checkpoint: nil) }
            let checkpoint = try signer.sign(size: working.size, root: working.root)
            try await store.insert(entries: rows, nodes: nodes, checkpoint: .init(size: checkpoint.size, root: working.root, note: checkpoint.note), on: tx)
            return CommitOutcome(results: results, range: working, checkpoint: checkpoint)
        }
        let results = outcome.results
        if let extended = outcome.range, let checkpoint = outcome.checkpoint {
            range = extended
            latest = checkpoint
            Gauge(label: "records_log_size").record(range.size)
        }
        Counter(label: "records_appended_total").increment(by: outcome.range.map { Int($0.size - current.size) } ?? 0)
        Metrics.Timer(label: "records_batch_commit_seconds", preferredDisplayUnit: .seconds).record(started.duration(to: .now))
        return results
    }
}

extension RecordLog {
    static func conflict(_ id: String, _ index: Int64) -> RPCError {
        RPCError(.alreadyExists, "event \(id) is already in the record at index \(index) with other content")
    }
}

struct CommitOutcome: Sendable {
    var results: [Result<AppendResponse, RPCError>]
    var range: CompactRange?
    var checkpoint: Checkpoint?
}
