import Foundation
import Logging
import Messages
import RPC
import SQLKit
import ServiceKit
import TestServiceKit
import Testing

/// PostgreSQL mode end to end (DESIGN.md §8): `tenderctl demo --database-url … --replicas 2`,
/// every service twice over one database each, Records as writer and standby, calls spread
/// over the replicas by ``BalancedClientTransport``.
@Suite("PostgreSQL mode: replicas of every service, Records with a standby", .serialized)
struct PostgresStackTests {
    static let seed = 11
    static var challenge: ChallengeID { ChallengeID("smart-mobility-\(seed)")! }
    static let services = ["records", "vault", "intake", "evaluation", "negotiation"]

    @Test("the demo on PostgreSQL with 2 replicas each while one replica of each service is restarted (SIGTERM): every event once; then the Records writer killed with -9: the standby takes over, the record verifies and extends the checkpoint trusted before")
    func replicatedDemo() async throws {
        guard let adminURL = TestEnvironment.postgresURL else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("TENDER_TEST_DATABASE_URL is not set in CI") }
            return
        }
        let base = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await Self.admin(adminURL) { try await $0.sql.raw("CREATE DATABASE \(ident: base)").run() }
        let directory = NSTemporaryDirectory() + "tender-pgdemo-\(UUID().uuidString.prefix(8))"
        let demo = try BackgroundCommand(output: directory + ".out", [
            "demo", "--data-dir", directory, "--seed", String(Self.seed), "--no-build", "--bin-dir", BuildProducts.directory.path,
            "--database-url", Backend.replacingDatabase(in: adminURL, with: base), "--replicas", "2", "--keep",
        ])
        do {
            try await play(demo, directory: directory)
        } catch {
            demo.stop()
            await Self.cleanUp(adminURL, base: base, directory: directory)
            throw error
        }
        demo.stop()
        await Self.cleanUp(adminURL, base: base, directory: directory)
    }

    func play(_ demo: BackgroundCommand, directory: String) async throws {
        // A rolling restart while the demo plays: one replica of each service in turn, the
        // next once the stack has the previous one back.
        try await Self.waitForRecord(directory, size: 40)
        for service in Self.services {
            try await Self.restart(service + "-1", in: directory)
        }
        #expect(!demo.output.contains("Summary"), "the demo ended before the rolling restart did; it proves nothing:\n\(demo.output)")
        // With --keep, the demo says this (instead of DEMO OK, which comes when it stops) only
        // when every check passed.
        let output = try await demo.waitFor("the stack keeps running", timeout: .seconds(900))
        #expect(output.contains("every entry proven") && output.contains("83 planted canaries: none"), "\(output)")
        for service in Self.services {
            #expect(output.contains("\(service)-1 exited (status 0)"), "the stack did not see \(service)-1 stop")
            #expect(output.contains("\(service)-1 is back"), "the stack did not restart \(service)-1")
        }

        let endpoints = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/endpoints.json")))
        let recordsURLs = try #require(endpoints["records"])
        #expect(recordsURLs.split(separator: ",").count == 2)
        let records = RPCClient(transport: try BalancedClientTransport.transport(urls: recordsURLs), defaultTimeout: .seconds(30))
        let entries = try await Self.entries(records)
        #expect(Set(entries.map(\.event.id)).count == entries.count, "an event id appears twice in the record")
        let counts = Dictionary(grouping: entries.filter { $0.event.challenge == Self.challenge }, by: \.event.type).mapValues(\.count)
        let expected: [EventType: Int] = [
            .challengePublished: 1, .applicationReceived: 80, .applicationAmended: 2, .applicationWithdrawn: 1,
            .applicationRejectedLate: 3, .intakeClosed: 1, .confidentialDataShredded: 4, .scoresFinalised: 1,
            .evaluatorRecused: 2, .shortlistDecided: 1, .dialogueOpened: 4, .clarificationSent: 1, .pilotDecided: 4,
            .awardDecided: 1, .standstillStarted: 1, .standstillEnded: 1, .agreementSigned: 2,
        ]
        for (type, count) in expected { #expect(counts[type] == count, "\(type.rawValue): \(counts[type] ?? 0) in the record, expected \(count)") }

        try await killWriter(records: records, urls: recordsURLs, directory: directory, demo: demo)
    }

    /// SIGKILL to the replica holding the writer lock: the standby must append within 30 s,
    /// and an auditor who trusted the checkpoint before must accept the one after.
    func killWriter(records: RPCClient, urls: String, directory: String, demo: BackgroundCommand) async throws {
        let audit = ["record", "verify", "--url", urls, "--key", directory + "/records/records.vkey", "--state", directory + "/audit.json", "--all"]
        let before = try await Command.run(Self.tenderctl, audit, timeout: .seconds(300))
        #expect(before.exitCode == 0 && before.stdoutText.contains("OK"), "\(before.transcript)")
        let trusted = try await records.call(RecordsAPI.getCheckpoint, GetCheckpointRequest())

        let issuer = try LocalTokenIssuer(seedBase64: String(contentsOfFile: directory + "/issuer.key", encoding: .utf8), audience: "tenderdialogue")
        let token = try await issuer.token(subject: "tender-intake", roles: [.service])
        let stack = try Self.stack(directory)
        var writer: String?
        for attempt in 0..<100 where writer == nil {
            for name in ["records-1", "records-2"] where writer == nil {
                let replica = RPCClient(transport: try HTTP2ClientTransport(url: stack[name]!.url), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
                if (try? await replica.call(RecordsAPI.append, AppendRequest(event: Self.event("probe-\(name)-\(attempt)")))) != nil { writer = name }
            }
            if writer == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let killed = try #require(writer, "neither Records replica appends")
        let survivor = killed == "records-1" ? "records-2" : "records-1"
        #expect(kill(stack[killed]!.pid, SIGKILL) == 0)
        let since = ContinuousClock.now

        // Through both replicas, as the services' outboxes send: the dead one cannot be
        // reached, the standby refuses until it holds the lock.
        let balanced = RPCClient(transport: try BalancedClientTransport.transport(urls: urls), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
        var tookOver: Duration?
        for n in 0..<600 where tookOver == nil {
            let appended = try? await balanced.call(RecordsAPI.append, AppendRequest(event: Self.event("after-kill-\(n)")), options: CallOptions(timeout: .seconds(5)))
            if appended != nil { tookOver = ContinuousClock.now - since } else { try await Task.sleep(for: .milliseconds(100)) }
            if ContinuousClock.now - since > .seconds(30) { break }
        }
        #expect(tookOver != nil, "no replica took Appends within 30 s of killing the writer \(killed)")
        for n in 0..<10 { _ = try await balanced.call(RecordsAPI.append, AppendRequest(event: Self.event("after-takeover-\(n)")), options: CallOptions(timeout: .seconds(30))) }
        // It was the standby that took over (not the killed writer coming back first).
        let former = RPCClient(transport: try HTTP2ClientTransport(url: stack[survivor]!.url), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
        _ = try await former.call(RecordsAPI.append, AppendRequest(event: Self.event("by-\(survivor)")), options: CallOptions(timeout: .seconds(30)))

        let after = try await Command.run(Self.tenderctl, audit, timeout: .seconds(300))
        #expect(after.exitCode == 0 && after.stdoutText.contains("consistent with the trusted checkpoint of size \(trusted.size)"), "\(after.transcript)")
        let entries = try await Self.entries(records)
        #expect(Set(entries.map(\.event.id)).count == entries.count, "an event id appears twice in the record after the takeover")
        #expect(entries.count >= Int(trusted.size) + 12)
    }

    static var tenderctl: String { BuildProducts.directory.appendingPathComponent("tenderctl").path }

    static func event(_ id: String) -> ProcurementEvent {
        ProcurementEvent(
            id: EventID(id)!, challenge: ChallengeID("smart-oslo")!, actor: Actor(subject: "tender-intake", role: .service),
            time: Timestamp(millisecondsSinceEpoch: 1_780_000_000_000),
            payload: .interestRegistered(InterestRegistered(orgNumber: OrgNumber("923609016")!, companyName: "Fjordlys AS")))
    }

    static func entries(_ records: RPCClient) async throws -> [RecordEntry] {
        let size = try await records.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size
        var entries: [RecordEntry] = []
        while Int64(entries.count) < size {
            entries += try await records.call(RecordsAPI.getEntries, GetEntriesRequest(start: Int64(entries.count), count: min(1000, size - Int64(entries.count)))).entries
        }
        return entries
    }

    struct StackEntry: Decodable {
        var service: String
        var url: String
        var pid: Int32
    }

    static func stack(_ directory: String) throws -> [String: StackEntry] {
        try JSONDecoder().decode([String: StackEntry].self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/stack.json")))
    }

    static func waitForRecord(_ directory: String, size: Int64) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(600))
        var client: RPCClient?
        while ContinuousClock.now < deadline {
            if client == nil, let data = FileManager.default.contents(atPath: directory + "/endpoints.json"),
               let urls = try? JSONDecoder().decode([String: String].self, from: data)["records"] {
                client = RPCClient(transport: try BalancedClientTransport.transport(urls: urls), retryPolicy: .none)
            }
            if let current = try? await client?.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size, current >= size { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandError("the demo's record never reached \(size) events")
    }

    /// SIGTERM to `instance`; returns once the stack runs a new process in its place.
    static func restart(_ instance: String, in directory: String) async throws {
        let old = try #require(try stack(directory)[instance], "no \(instance) in stack.json").pid
        kill(old, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < deadline {
            if let entry = try? stack(directory)[instance], entry.pid != old, entry.pid != 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandError("the stack did not restart \(instance) within 120 s")
    }

    static func admin(_ url: String, _ body: (Database) async throws -> Void) async throws {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .warning
        let admin = try await Database.postgres(url: url, maxConnections: 1, logger: logger)
        do {
            try await body(admin)
        } catch {
            try? await admin.close()
            throw error
        }
        try await admin.close()
    }

    static func cleanUp(_ adminURL: String, base: String, directory: String) async {
        try? await admin(adminURL) { admin in
            for name in [base] + services.map({ base + "_" + $0 }) {
                try await admin.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".out")
    }
}

/// `tenderctl` running in the background, its output (stdout and stderr) in a file.
final class BackgroundCommand: Sendable {
    let process: Process
    let outputPath: String

    init(output: String, _ arguments: [String]) throws {
        outputPath = output
        process = Process()
        process.executableURL = BuildProducts.directory.appendingPathComponent("tenderctl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the output holds `text`; throws when the process ends first or time is up.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            let current = output
            if current.contains(text) { return current }
            guard process.isRunning else { throw CommandError("tenderctl ended (status \(process.terminationStatus)) without printing '\(text)':\n\(output)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandError("tenderctl did not print '\(text)' within \(timeout):\n\(output)")
    }

    /// SIGTERM, then waits (at most 60 s) for it to stop its stack and exit.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
