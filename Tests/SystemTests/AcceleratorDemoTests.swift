import Foundation
import Messages
import NIOCore
import RPC
import TestServiceKit
import Testing

/// The whole accelerator as the README runs it: `tenderctl demo`, every service a real
/// process talking HTTP/2, SQLite underneath.
@Suite("Accelerator demo on a local stack")
struct AcceleratorDemoTests {
    static let seed = 7
    static var challenge: ChallengeID { ChallengeID("smart-mobility-\(seed)")! }
    static var tenderctl: String { BuildProducts.directory.appendingPathComponent("tenderctl").path }

    @Test("80 → 4 → 2 signed over real processes; Records killed with -9 mid-run and Negotiation during the award come back, no event lost or duplicated; every read under impartiality or a dialogue grant; no secret outside the Vault, in files or responses")
    func acceleratorDemo() async throws {
        let directory = NSTemporaryDirectory() + "tender-demo-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let demo = Task {
            try await Command.run(Self.tenderctl, [
                "demo", "--data-dir", directory, "--seed", String(Self.seed), "--no-build", "--bin-dir", BuildProducts.directory.path,
            ], timeout: .seconds(900))
        }
        let killedAt = try await Self.killRecordsMidRun(directory)
        try await Self.killNegotiationAtTheAward(directory)
        let result = try await demo.value
        #expect(result.exitCode == 0, "\(result.transcript)")
        #expect(result.stdoutText.contains("DEMO OK"))
        #expect(result.stdoutText.contains("records exited"), "the stack did not notice the killed Records process:\n\(result.stdoutText)")
        #expect(result.stdoutText.contains("negotiation exited"), "the stack did not notice the killed Negotiation process:\n\(result.stdoutText)")
        #expect(killedAt > 0)

        // Independently of what the demo says: bring the same stack up again and look.
        let up = try UpProcess(directory: directory)
        defer { up.stop() }
        let endpoints = try await up.waitForEndpoints()
        let issuer = try LocalTokenIssuer(seedBase64: String(contentsOfFile: directory + "/issuer.key", encoding: .utf8), audience: "tenderdialogue")
        let officer = try await issuer.token(subject: "kari.nordmann", roles: [.officer])
        let auditor = try await issuer.token(subject: "revisor", roles: [.auditor])
        let records = RPCClient(transport: try HTTP2ClientTransport(url: endpoints["records"]!))
        let intake = RPCClient(transport: try HTTP2ClientTransport(url: endpoints["intake"]!))

        // Every event once: ids unique, counts exactly what the story produced.
        let size = try await records.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size
        var entries: [RecordEntry] = []
        var raw: [ByteBuffer] = []
        while Int64(entries.count) < size {
            let request = GetEntriesRequest(start: Int64(entries.count), count: min(1000, size - Int64(entries.count)))
            raw.append(try await records.call(RecordsAPI.getEntries.descriptor, body: Self.body(request)))
            entries += try await records.call(RecordsAPI.getEntries, request).entries
        }
        #expect(Set(entries.map(\.event.id)).count == entries.count, "an event id appears twice in the record")
        let counts = Dictionary(grouping: entries.filter { $0.event.challenge == Self.challenge }, by: \.event.type).mapValues(\.count)
        #expect(counts[.applicationReceived] == 80)
        #expect(counts[.applicationAmended] == 2)
        #expect(counts[.applicationWithdrawn] == 1)
        #expect(counts[.applicationRejectedLate] == 3)
        #expect(counts[.intakeClosed] == 1)
        #expect(counts[.challengePublished] == 1)
        #expect(counts[.confidentialDataShredded] == 4)
        #expect(counts[.scoresFinalised] == 1)
        #expect(counts[.evaluatorRecused] == 2)
        let shortlist = try #require(entries.compactMap { entry -> ShortlistDecided? in
            if case .shortlistDecided(let decided) = entry.event.payload { return decided } else { return nil }
        }.first)
        #expect(shortlist.shortlisted.count == 4)
        #expect(shortlist.notChosen.count == 79 - 4)

        // The dialogues: Negotiation died with -9 right after committing the award, and the
        // award is in the record exactly once; 2 agreements signed, 2 still negotiating.
        #expect(counts[.dialogueOpened] == 4)
        #expect(counts[.clarificationSent] == 1)
        #expect(counts[.pilotDecided] == 4)
        #expect(counts[.awardDecided] == 1)
        #expect(counts[.standstillStarted] == 1)
        #expect(counts[.standstillEnded] == 1)
        #expect(counts[.agreementSigned] == 2)
        #expect(counts[.dialogueEndedWithoutAgreement] == nil)
        let events = entries.filter { $0.event.challenge == Self.challenge }.map(\.event)
        let standstill = try #require(events.compactMap { event -> StandstillStarted? in
            if case .standstillStarted(let started) = event.payload { return started } else { return nil }
        }.first)
        let signatures = events.filter { $0.type == .agreementSigned }
        #expect(signatures.allSatisfy { $0.time >= standstill.end }, "an agreement was signed before the standstill ended")
        let clarification = try #require(events.compactMap { event -> ClarificationSent? in
            if case .clarificationSent(let sent) = event.payload { return sent } else { return nil }
        }.first)
        #expect(clarification.recipients.count == 4)

        // Every confidential read in the record came after its reader declared impartiality
        // towards that application (by the events' times: two services' outboxes deliver in
        // their own order), and never after the reader was recused from it.
        var refs: [VaultRef: ApplicationID] = [:]
        var impartialSince: [String: Timestamp] = [:]
        var recusedSince: [String: Timestamp] = [:]
        for entry in entries where entry.event.challenge == Self.challenge {
            switch entry.event.payload {
            case .applicationReceived(let received): refs[received.vaultRef] = received.application
            case .applicationAmended(let amended): refs[amended.vaultRef] = amended.application
            case .impartialityDeclared(let declared): impartialSince[declared.evaluator + "|" + declared.application.rawValue] = entry.event.time
            case .evaluatorRecused(let recusal): recusedSince[recusal.evaluator + "|" + recusal.application.rawValue] = entry.event.time
            default: break
            }
        }
        var reads = 0
        var unexplained: [String] = []
        var dialogueReads = 0
        for entry in entries where entry.event.challenge == Self.challenge {
            guard case .confidentialDataAccessed(let access) = entry.event.payload else { continue }
            if access.purpose == "negotiation" {
                // Dialogue content, read by the dialogue's own participants under Negotiation's grants.
                if ![.negotiator, .officer, .startup].contains(access.reader.role) { unexplained.append("\(access.ref): a dialogue read as \(access.reader.role)") }
                dialogueReads += 1
                continue
            }
            reads += 1
            guard let application = refs[access.ref] else { unexplained.append("\(access.ref): no application names it"); continue }
            let pair = access.reader.subject + "|" + application.rawValue
            if access.reader.role != .evaluator || access.purpose != "evaluation" { unexplained.append("\(pair): read as \(access.reader.role) for \(access.purpose)") }
            if let since = recusedSince[pair], since <= entry.event.time { unexplained.append("\(pair): read after being recused") }
            if let since = impartialSince[pair] {
                if since > entry.event.time { unexplained.append("\(pair): read before declaring impartiality") }
            } else {
                unexplained.append("\(pair): read without a declaration of impartiality")
            }
        }
        #expect(unexplained.isEmpty, "\(unexplained.prefix(5))")
        #expect(reads == 79 * 5 - 2)
        #expect(dialogueReads == 10)

        // Public and privileged responses: no canary in any body.
        let challenge = GetChallengeRequest(challenge: Self.challenge)
        raw.append(try await intake.call(IntakeAPI.getChallenge.descriptor, body: Self.body(challenge)))
        raw.append(try await intake.call(IntakeAPI.listQuestions.descriptor, body: Self.body(ListQuestionsRequest(challenge: Self.challenge)), options: CallOptions(token: officer)))
        raw.append(try await intake.call(IntakeAPI.listApplications.descriptor, body: Self.body(ListApplicationsRequest(challenge: Self.challenge, includeWithdrawn: true)), options: CallOptions(token: officer)))
        raw.append(try await records.call(RecordsAPI.getProtocol.descriptor, body: Self.body(["challenge": Self.challenge.rawValue]), options: CallOptions(token: auditor)))
        raw.append(try await records.call(RecordsAPI.exportOCDS.descriptor, body: Self.body(["challenge": Self.challenge.rawValue])))
        let negotiation = RPCClient(transport: try HTTP2ClientTransport(url: endpoints["negotiation"]!))
        raw.append(try await negotiation.call(NegotiationAPI.listDialogues.descriptor, body: Self.body(ListDialoguesRequest(challenge: Self.challenge)), options: CallOptions(token: auditor)))
        let dialogues = try await negotiation.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: Self.challenge), options: CallOptions(token: auditor))
        #expect(dialogues.dialogues.filter { $0.status == .signed }.count == 2)
        #expect(dialogues.dialogues.filter { $0.status == .negotiating }.count == 2)
        #expect(dialogues.awards.count == 1)
        let canaries = try String(contentsOfFile: directory + "/canaries.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(canaries.count == 83)
        let listed = try await intake.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: Self.challenge), options: CallOptions(token: officer))
        #expect(listed.applications.count == 79)
        for buffer in raw {
            let found = Self.canaries(in: Data(buffer.readableBytesView), from: canaries)
            #expect(found.isEmpty, "a response body holds \(found)")
        }
        up.stop()
        try await up.waitForExit()

        // Files: Intake's and Records' databases (with WAL) and every log; the Vault's files hold none in clear.
        for sub in ["intake", "evaluation", "negotiation", "records", "logs", "vault"] {
            for (path, data) in Self.files(under: directory + "/" + sub) {
                let found = Self.canaries(in: data, from: canaries)
                #expect(found.isEmpty, "\(found) found in \(path)")
            }
        }
    }

    static func body(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try CanonicalJSON.encode(value))
    }

    /// Waits until the demo's Records holds some events, then kills it with SIGKILL; returns
    /// the record size at that moment.
    static func killRecordsMidRun(_ directory: String) async throws -> Int64 {
        let deadline = ContinuousClock.now.advanced(by: .seconds(600))
        var client: RPCClient?
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: directory + "/stack.json"),
               let stack = try? JSONDecoder().decode([String: StackEntry].self, from: data), let records = stack["records"] {
                if client == nil { client = RPCClient(transport: try HTTP2ClientTransport(url: records.url), retryPolicy: .none) }
                if let size = try? await client!.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size, size >= 40 {
                    kill(records.pid, SIGKILL)
                    return size
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandError("the demo's Records never reached 40 events")
    }

    /// Waits until Negotiation logs that it committed the award, then kills it with SIGKILL
    /// at once — before or after its answer got out; the stack restarts it.
    static func killNegotiationAtTheAward(_ directory: String) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(900))
        let log = directory + "/logs/negotiation.log"
        let needle = Data(#""award decided""#.utf8)
        var seen = Data()
        var offset: UInt64 = 0
        while ContinuousClock.now < deadline {
            // Only what was appended since the last look (the tail kept for a line cut in two).
            if let handle = FileHandle(forReadingAtPath: log) {
                try handle.seek(toOffset: offset)
                let fresh = handle.readDataToEndOfFile()
                try? handle.close()
                offset += UInt64(fresh.count)
                seen = seen.suffix(needle.count) + fresh
            }
            if seen.range(of: needle) != nil,
               let stack = FileManager.default.contents(atPath: directory + "/stack.json"),
               let entry = try? JSONDecoder().decode([String: StackEntry].self, from: stack)["negotiation"] {
                kill(entry.pid, SIGKILL)
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw CommandError("Negotiation never logged the award")
    }

    struct StackEntry: Decodable {
        var url: String
        var pid: Int32
    }

    /// The canaries that occur in `data` (each starts with `CANARY-`; Foundation finds those).
    static func canaries(in data: Data, from canaries: [String]) -> [String] {
        let prefix = Data("CANARY-".utf8)
        var found: [String] = []
        var searchFrom = data.startIndex
        while let hit = data.range(of: prefix, in: searchFrom..<data.endIndex) {
            let rest = data[hit.lowerBound...]
            found += canaries.filter { rest.starts(with: Data($0.utf8)) }
            searchFrom = hit.upperBound
        }
        return found
    }

    static func files(under directory: String) -> [(String, Data)] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var out: [(String, Data)] = []
        for case let relative as String in walker {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) {
                out.append((path, data))
            }
        }
        return out
    }
}

/// `tenderctl up` as a background process.
final class UpProcess: Sendable {
    let process: Process
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        process = Process()
        process.executableURL = BuildProducts.directory.appendingPathComponent("tenderctl")
        process.arguments = ["up", "--data-dir", directory, "--any-ports", "--bin-dir", BuildProducts.directory.path]
        process.standardInput = FileHandle.nullDevice
        let log = directory + "/up.out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
    }

    func waitForEndpoints() async throws -> [String: String] {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: directory + "/endpoints.json"), let endpoints = try? JSONDecoder().decode([String: String].self, from: data) {
                return endpoints
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandError("tenderctl up did not write endpoints.json:\n" + ((try? String(contentsOfFile: directory + "/up.out", encoding: .utf8)) ?? ""))
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    func waitForExit() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "tenderctl up did not stop on SIGTERM")
        #expect(process.terminationStatus == 0)
    }
}
