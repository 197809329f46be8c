import Crypto
import Foundation
public import Logging
public import Messages
import Metrics
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

    /// Opens the log, checking the stored tree against the last signed checkpoint.
    public static func open(database: Database, signer: CheckpointSigner, logger: Logger, maxBatch: Int = 256) async throws -> RecordLog {
        let store = RecordStore(database: database)
        let verdict = try await IntegrityCheck.run(store: store, verifier: signer.verifierKey)
        let log: RecordLog
        switch verdict {
        case .empty:
            let checkpoint = try signer.sign(size: 0, root: Merkle.emptyRoot)
            log = RecordLog(store: store, signer: signer, logger: logger, maxBatch: maxBatch, range: CompactRange(), latest: checkpoint)
        case .consistent(let range, let checkpoint):
            log = RecordLog(store: store, signer: signer, logger: logger, maxBatch: maxBatch, range: range, latest: checkpoint)
        case .inconsistent(let reason, let checkpoint):
            logger.critical("the stored record does not match its last signed checkpoint; refusing writes", metadata: ["reason": .string(reason)])
            log = RecordLog(store: store, signer: signer, logger: logger, maxBatch: maxBatch, range: CompactRange(), latest: checkpoint)
            await log.fail(reason)
        }
        return log
    }

    init(store: RecordStore, signer: CheckpointSigner, logger: Logger, maxBatch: Int, range: CompactRange, latest: Checkpoint) {
        self.store = store
        self.signer = signer
        self.logger = logger
        self.maxBatch = maxBatch
        self.range = range
        self.latest = latest
    }

    private func fail(_ reason: String) { integrityFailure = reason }

    public var checkpoint: Checkpoint { latest }
    /// The size of the latest signed checkpoint: what reads and proofs are served against
    /// (also after a failed integrity check, so auditors can see what is stored).
    public var size: Int64 { latest.size }

    /// Appends `event`; a repeated event id returns the first index with `duplicate: true`.
    public func append(_ event: ProcurementEvent) async throws -> AppendResponse {
        if let integrityFailure { throw RPCError(.dataLoss, "the record failed its integrity check; writes are refused: \(integrityFailure)") }
        let leaf = String(decoding: try event.canonicalBytes(), as: UTF8.self)
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
                for (item, result) in zip(batch, results) { item.continuation.resume(returning: result) }
            } catch {
                let failure = (error as? RPCError) ?? RPCError(.unavailable, "the record could not be written; retry")
                logger.error("append batch failed", metadata: ["size": .stringConvertible(batch.count), "error_type": .string(String(reflecting: type(of: error)))])
                for item in batch { item.continuation.resume(throwing: failure) }
            }
        }
        flushing = false
    }

    /// One transaction: new entries, their nodes, and the checkpoint of the extended tree.
    private func commit(_ batch: [Pending]) async throws -> [AppendResponse] {
        let started = ContinuousClock.now
        let current = range
        let outcome = try await store.database.transaction { [store, signer] tx -> CommitOutcome in
            let existing = try await store.existing(eventIDs: batch.map(\.event.id.rawValue), on: tx)
            var assigned: [String: AppendResponse] = [:]
            var rows: [(index: Int64, event: ProcurementEvent, leaf: String, leafHash: Merkle.Hash)] = []
            var nodes: [(NodeID, Merkle.Hash)] = []
            var results: [AppendResponse] = []
            var working = current
            for item in batch {
                let id = item.event.id.rawValue
                if let (index, hash) = existing[id] {
                    results.append(AppendResponse(index: index, leafHash: Data([UInt8](hex: hash) ?? []).base64EncodedString(), duplicate: true))
                } else if let first = assigned[id] {
                    results.append(AppendResponse(index: first.index, leafHash: first.leafHash, duplicate: true))
                } else {
                    let leafHash = Merkle.leafHash(Array(item.leaf.utf8))
                    let index = working.size
                    nodes += working.append(leafHash: leafHash)
                    rows.append((index, item.event, item.leaf, leafHash))
                    let response = AppendResponse(index: index, leafHash: Data(leafHash).base64EncodedString(), duplicate: false)
                    assigned[id] = response
                    results.append(response)
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
        Counter(label: "records_appended_total").increment(by: results.filter { !$0.duplicate }.count)
        Metrics.Timer(label: "records_batch_commit_seconds", preferredDisplayUnit: .seconds).recordInterval(since: started)
        return results
    }
}

struct CommitOutcome: Sendable {
    var results: [AppendResponse]
    var range: CompactRange?
    var checkpoint: Checkpoint?
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
