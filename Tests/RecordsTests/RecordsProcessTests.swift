import Foundation
import Logging
import Messages
import RPC
@testable import Records
import ServiceKit
import SQLKit
import Synchronization
import TestServiceKit
import Testing

/// `tender-records` as a real process, and `tenderctl record verify` as the auditor runs it.
@Suite("Records process")
struct RecordsProcessTests {
    static func event(_ id: String) -> ProcurementEvent {
        ProcurementEvent(
            id: EventID(id)!, challenge: ChallengeID("smart-oslo")!, actor: Actor(subject: "tender-intake", role: .service),
            time: Timestamp(millisecondsSinceEpoch: 1_780_000_000_000),
            payload: .interestRegistered(InterestRegistered(orgNumber: OrgNumber("923609016")!, companyName: "Fjordlys AS")))
    }

    @Test("kill -9 mid-append: every acknowledged event is there after restart, the record verifies, a tampered entry is named")
    func crashAndTamper() async throws {
        let env = try TestEnvironment(name: "records")
        defer { env.remove() }
        let serviceEnv = try env.serviceEnvironment(name: "records")
        let dataDir = serviceEnv["DATA_DIR"]!
        var records = try await ServiceProcess.start("tender-records", environment: serviceEnv)
        let token = try await env.issuer.token(subject: "tender-intake", roles: [.service])

        // Eight writers append until the process dies under them.
        let acknowledged = Acknowledged()
        let client = RPCClient(transport: try HTTP2ClientTransport(url: records.url), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for n in 0..<10_000 {
                            let id = "w\(writer)-\(n)"
                            guard let response = try? await client.call(RecordsAPI.append, AppendRequest(event: Self.event(id))) else { return }
                            acknowledged.record(id, response.index)
                        }
                    }
                }
            }
        }
        try await waitUntil { acknowledged.all.count >= 150 }
        await records.kill()
        await writers.value
        let acked = acknowledged.all

        records = try await ServiceProcess.start("tender-records", environment: serviceEnv)
        let reader = RPCClient(transport: try HTTP2ClientTransport(url: records.url), tokenProvider: StaticTokenProvider(token))
        let checkpoint = try await reader.call(RecordsAPI.getCheckpoint, GetCheckpointRequest())
        let key = try #require(SignedNote.VerifierKey(try String(contentsOfFile: dataDir + "/records.vkey", encoding: .utf8)))
        let body = try CheckpointVerifier.verify(checkpoint, key: key)
        #expect(body.size >= Int64(acked.count))
        var stored: [Int64: String] = [:]
        var start: Int64 = 0
        while start < body.size {
            for entry in try await reader.call(RecordsAPI.getEntries, GetEntriesRequest(start: start, count: 1000)).entries { stored[entry.index] = entry.event.id.rawValue }
            start += 1000
        }
        #expect(stored.count == Int(body.size), "no gaps")
        #expect(Set(stored.values).count == stored.count, "no event twice")
        for (id, index) in acked { #expect(stored[index] == id, "acknowledged \(id) at \(index) is missing after the crash") }
        // Appending still works after the restart.
        #expect(try await reader.call(RecordsAPI.append, AppendRequest(event: Self.event("after-restart"))).index == body.size)

        // The auditor's tool, with only the public key.
        let state = env.directory + "/audit.json"
        let verify = ["record", "verify", "--url", records.url, "--key", dataDir + "/records.vkey", "--state", state]
        let first = try await tenderctl(verify + ["--all"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("OK"))

        // Tamper with entry 5 while the service is down.
        #expect(await records.terminate() == 0)
        let db = try await Database.sqlite(path: dataDir + "/records.sqlite", logger: Logger(label: "test"))
        try await db.sql.raw("UPDATE record_entries SET leaf = REPLACE(leaf, 'Fjordlys AS', 'Fjordlyz AS') WHERE idx = 5").run()
        try await db.close()
        records = try await ServiceProcess.start("tender-records", environment: serviceEnv)
        let tampered = RPCClient(transport: try HTTP2ClientTransport(url: records.url), tokenProvider: StaticTokenProvider(token))
        let refused = await #expect(throws: RPCError.self) { try await tampered.call(RecordsAPI.append, AppendRequest(event: Self.event("after-tamper"))) }
        #expect(refused?.code == .dataLoss)
        let second = try await tenderctl(["record", "verify", "--url", records.url, "--key", dataDir + "/records.vkey", "--state", state, "--entry", "5"])
        #expect(second.status == 1)
        #expect(second.output.contains("VERIFICATION FAILED") && second.output.contains("entry 5"), "\(second.output)")
        #expect(await records.terminate() == 0)
    }
}

extension RecordsProcessTests {
    @Test("two replicas on PostgreSQL: one writes, the other reads and takes over when the writer dies")
    func writerHandover() async throws {
        guard let adminURL = TestEnvironment.postgresURL else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("TENDER_TEST_DATABASE_URL is not set in CI") }
            return
        }
        let env = try TestEnvironment(name: "handover")
        defer { env.remove() }
        let name = "records_" + String(UUID().uuidString.prefix(8)).lowercased()
        let admin = try await Database.postgres(url: adminURL, maxConnections: 1, logger: Logger(label: "test"))
        try await admin.sql.raw(SQLQueryString("CREATE DATABASE " + name)).run()
        try await admin.close()
        // Both replicas share the database and the signing key.
        let keyFile = env.directory + "/records.key"
        try Curve25519Key.seed().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let shared = ["DATABASE_URL": Backend.replacingDatabase(in: adminURL, with: name), "RECORDS_SIGNING_KEY_FILE": keyFile]
        let first = try await ServiceProcess.start("tender-records", environment: try env.serviceEnvironment(name: "a", extra: shared))
        let second = try await ServiceProcess.start("tender-records", environment: try env.serviceEnvironment(name: "b", extra: shared))
        let token = try await env.issuer.token(subject: "tender-intake", roles: [.service])
        func client(_ process: ServiceProcess) throws -> RPCClient {
            RPCClient(transport: try HTTP2ClientTransport(url: process.url), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
        }
        func appends(_ process: ServiceProcess, _ id: String) async -> Bool {
            (try? await client(process).call(RecordsAPI.append, AppendRequest(event: Self.event(id)))) != nil
        }
        // Exactly one of them takes the lock.
        var writer: ServiceProcess?
        for attempt in 0..<100 where writer == nil {
            if await appends(first, "probe-a-\(attempt)") { writer = first } else if await appends(second, "probe-b-\(attempt)") { writer = second }
            if writer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let active = try #require(writer)
        let standby = active === first ? second : first
        for n in 0..<20 { #expect(await appends(active, "before-\(n)")) }
        let refused = await #expect(throws: RPCError.self) { try await client(standby).call(RecordsAPI.append, AppendRequest(event: Self.event("to-standby"))) }
        #expect(refused?.code == .unavailable)
        // The standby serves reads and proofs of what the writer committed.
        let before = try await client(standby).call(RecordsAPI.getCheckpoint, GetCheckpointRequest())
        #expect(before == (try await client(active).call(RecordsAPI.getCheckpoint, GetCheckpointRequest())))
        _ = try await client(standby).call(RecordsAPI.proveInclusion, ProveInclusionRequest(index: 0, treeSize: before.size))

        await active.kill()
        var tookOver = false
        for n in 0..<300 where !tookOver {
            tookOver = await appends(standby, "after-\(n)")
            if !tookOver { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(tookOver, "the standby did not take over within 30 s")
        // The new writer's checkpoint extends the old one: an auditor who trusted it accepts.
        let key = try #require(SignedNote.VerifierKey(try String(contentsOfFile: env.directory + "/b/records.vkey", encoding: .utf8)))
        let auditor = RecordAuditor(client: try client(standby), key: key)
        let trusted = RecordAuditor.TrustedState(size: before.size, root: before.root, note: before.note)
        let report = try await auditor.verify(trusted: trusted, entries: [0, before.size])
        #expect(report.newState.size == before.size + 1)
        #expect(await standby.terminate() == 0)
        let cleanup = try await Database.postgres(url: adminURL, maxConnections: 1, logger: Logger(label: "test"))
        try await cleanup.sql.raw(SQLQueryString("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")).run()
        try await cleanup.close()
    }
}

enum Curve25519Key {
    /// A new Ed25519 seed, base64 (the format of records.signingKeyFile).
    static func seed() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }
}

func waitUntil(timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Runs the built `tenderctl`; returns its exit status and everything it printed.
func tenderctl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = BuildProducts.directory.appendingPathComponent("tenderctl")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Event ids the service acknowledged, with their indices.
final class Acknowledged: Sendable {
    private let state = Mutex<[String: Int64]>([:])
    func record(_ id: String, _ index: Int64) { state.withLock { $0[id] = index } }
    var all: [String: Int64] { state.withLock { $0 } }
}
