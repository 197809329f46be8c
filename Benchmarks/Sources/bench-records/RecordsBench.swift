import BenchSupport
import Crypto
import Foundation
import HTTPTypes
import Logging
import Messages
import NIOCore
import RPC
import Records
import SQLKit
import ServiceKit
import Synchronization

/// A fresh record log on SQLite (in a temporary directory) or PostgreSQL, opened as
/// `tender-records` opens it (same bootstrap, migrations and signer).
struct RecordsBench {
    let database: Database
    let dialect: String
    let directory: String
    let signer: CheckpointSigner
    let logger: Logger

    static func open(database kind: String) async throws -> RecordsBench {
        ProcessBootstrap.once(logLevel: .warning)
        var logger = Logger(label: "tender.records")
        logger.logLevel = .warning
        let directory = NSTemporaryDirectory() + "bench-records-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let url: String?
        if kind == "postgres" {
            guard let configured = ProcessInfo.processInfo.environment["TENDER_TEST_DATABASE_URL"] else {
                throw BenchError("postgres needs TENDER_TEST_DATABASE_URL (run under scripts/with-postgres)")
            }
            url = configured
        } else {
            url = nil
        }
        let database = try await Database.open(url: url, dataDirectory: directory, name: "records", logger: logger)
        if kind == "postgres" {
            try await database.sql.raw("DROP SCHEMA public CASCADE").run()
            try await database.sql.raw("CREATE SCHEMA public").run()
        }
        try await database.migrateServiceKit()
        try await database.migrate(component: RecordsMigrations.component, RecordsMigrations.all)
        let signer = CheckpointSigner(origin: "bench.tenderdialogue.local/records", key: Curve25519.Signing.PrivateKey())
        return RecordsBench(database: database, dialect: kind, directory: directory, signer: signer, logger: logger)
    }

    func close() async throws {
        try await database.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Appends/s with `callers` concurrent callers, each appending its next event as soon as
    /// the last was committed, through the production group commit (maxBatch 256).
    func appends(callers: Int, seconds: Double) async throws {
        let log = try await RecordLog.open(database: database, signer: signer, logger: logger)
        let counter = Atomic<Int64>(0)
        let result = await closedLoop(concurrency: callers, warmUp: .milliseconds(500), duration: .milliseconds(Int64(seconds * 1000))) {
            let n = counter.add(1, ordering: .relaxed).newValue
            return (try? await log.append(SyntheticEvents.make(n))) != nil
        }
        emit(result.line([("bench", "records-appends"), ("database", dialect), ("callers", String(callers))]))
    }

    /// Grows one log to each of `sizes` and times `proofs` inclusion and consistency proofs
    /// at each size, through the dispatcher (routing, JSON, handler, SQL).
    func proofs(sizes: [Int64], proofs: Int) async throws {
        // Big groups: one transaction per 8192 appends, fed by 32768 callers in flight.
        let log = try await RecordLog.open(database: database, signer: signer, logger: logger, maxBatch: 8192)
        let dispatcher = RPCDispatcher(
            router: RecordsHandlers(log: log, publication: .init()).router, authenticator: nil,
            idempotency: InMemoryIdempotencyStore(), logger: logger)
        var size: Int64 = 0
        for target in sizes.sorted() {
            let started = ContinuousClock.now
            try await grow(log, from: size, to: target)
            let built = started.duration(to: .now)
            size = target
            let treeSize = size
            emit("RESULT bench=records-build database=\(dialect) size=\(size) seconds=\(String(format: "%.1f", built.microseconds / 1e6)) appends_per_s=\(String(format: "%.0f", Double(target) / max(built.microseconds / 1e6, 1e-9)))")
            let inclusion = await time(dispatcher, proofs, path: RecordsAPI.proveInclusion.path) {
                #"{"index":\#(Int64.random(in: 0..<treeSize)),"treeSize":\#(treeSize)}"#
            }
            emit(inclusion.line([("bench", "records-inclusion"), ("database", dialect), ("size", String(size))]))
            let consistency = await time(dispatcher, proofs, path: RecordsAPI.proveConsistency.path) {
                #"{"first":\#(Int64.random(in: 1...treeSize)),"second":\#(treeSize)}"#
            }
            emit(consistency.line([("bench", "records-consistency"), ("database", dialect), ("size", String(size))]))
            try await printSize(entries: size)
        }
    }

    private func grow(_ log: RecordLog, from: Int64, to target: Int64) async throws {
        let window: Int64 = 32768
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = from
            while next < min(from + window, target) {
                let n = next
                group.addTask { _ = try await log.append(SyntheticEvents.make(n)) }
                next += 1
            }
            while try await group.next() != nil {
                if next < target {
                    let n = next
                    group.addTask { _ = try await log.append(SyntheticEvents.make(n)) }
                    next += 1
                }
            }
        }
    }

    private func time(_ dispatcher: RPCDispatcher, _ count: Int, path: String, body: @escaping @Sendable () -> String) async -> LoadResult {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let fixed = headers
        var latencies: [Double] = []
        var errors = 0
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<count {
            let request = ByteBuffer(string: body())
            let callStarted = clock.now
            let response = await dispatcher.handle(method: .post, path: path, headers: fixed) { _ in request }
            if response.status == .ok { latencies.append(callStarted.duration(to: clock.now).microseconds) } else { errors += 1 }
        }
        return LoadResult(calls: latencies.count, errors: errors, seconds: started.duration(to: clock.now).microseconds / 1e6, latencies: latencies)
    }

    /// Bytes the database holds per entry (entries, tree nodes, checkpoints and indexes).
    private func printSize(entries: Int64) async throws {
        let bytes: Int64
        var detail = ""
        if dialect == "postgres" {
            var total: Int64 = 0
            for table in ["record_entries", "record_nodes", "record_checkpoints"] {
                let size = try await database.sql.raw("SELECT pg_total_relation_size(\(bind: table)) AS n").first()?.decode(column: "n", as: Int64.self) ?? 0
                detail += " \(table)=\(size)"
                total += size
            }
            bytes = total
        } else {
            _ = try await database.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
            let file = directory + "/records.sqlite"
            bytes = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? NSNumber)?.int64Value ?? 0
            detail = " file_bytes=\(bytes)"
        }
        emit("RESULT bench=records-bytes database=\(dialect) size=\(entries) bytes_per_entry=\(String(format: "%.0f", Double(bytes) / Double(max(entries, 1))))\(detail)")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
