import ArgumentParser
import Foundation
import Logging
import Messages
import RPC
import Records
import ServiceKit
import Synchronization
import UnixSignals

/// `tenderctl demo`: the accelerator, end to end, on a local stack.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play the SmartOslo-style accelerator end to end on a local stack (SQLite) and check it.",
        discussion: """
            Starts every service (as `tenderctl up` does, on free ports) in DIR and plays the \
            whole accelerator on a simulated clock: a challenge with 4 places, 80 synthetic \
            startups applying with their secrets in the Vault, questions, an amendment, two \
            amended applications, a withdrawal, intake closing by itself at the deadline, three \
            late submissions refused; a panel of five (one recused from two applications) \
            reading the secrets under grants and scoring blind, consensus, the ranking and the \
            shortlist of 4; then a confidential dialogue with each of the 4 (messages and \
            minutes in the Vault, a clarification to all at once, versioned offers, a 30-day \
            pilot each decided from its thresholds), the award of a purchase and an innovation \
            partnership with two phases, a complaint during the 10-day standstill, both \
            agreements signed after it, and 2 dialogues still negotiating at the end. It prints \
            the procurement protocol, writes the OCDS export to DIR/ocds.json, verifies the \
            procurement record with only its public key and checks that no startup secret left \
            the Vault. Exits 0 only if everything checked out. DIR is emptied first (only if it \
            is a previous stack's directory).

            With --database-url (and --replicas) it plays on PostgreSQL as `tenderctl up` runs \
            it, from empty databases: each NAME_<service> is dropped and made again first. The \
            search for secrets then covers every table of those databases too.

            With --stack DIR it starts nothing and plays against services already running \
            elsewhere (containers, a test cluster) on a driven clock, described by DIR: \
            endpoints.json ({"records": URL or comma-separated replica URLs, "intake": …, \
            "vault": …, "evaluation": …, "negotiation": …}), issuer.key (the key of an identity \
            provider the services trust, as deploy/make-keys writes it), clock.json (the file \
            the services read as CLOCK_FILE; the demo moves it) and records.vkey (the record's \
            verifier key: `tenderctl record key --signing-key … --origin …`). The protocol, the \
            OCDS export and canaries.txt are written to DIR; searching the services' storage \
            and logs for the canaries is then the deployment's part (scripts/containers does).
            """)

    @Option(name: .customLong("data-dir"), help: "The stack's directory (emptied first).") var dataDirectory = "./data/demo"
    @Option(help: "Seed for the synthetic startups (same seed, same startups).") var seed: UInt64 = 2026
    @Option(name: .customLong("bin-dir"), help: "Where the service executables are (default: beside tenderctl).") var binDirectory: String?
    @Flag(name: .customLong("no-build"), help: "Do not run `swift build` for the service executables, even from a checkout.") var noBuild = false
    @Flag(name: .customLong("keep"), help: "Leave the stack running after the demo until Ctrl-C.") var keep = false
    @Option(name: .customLong("clock"), help: ArgumentHelp(
        "Where the simulated clock starts (ISO 8601, e.g. 2026-03-02T09:00:00Z; default: now).",
        discussion: "Every service runs on this driven clock; the demo moves it through the deadlines, the pilots and the standstill period in seconds."))
    var clockStart: String?
    @Option(name: .customLong("stack"), help: "Play against running services described by this directory (see above) instead of starting them.")
    var externalStack: String?
    @OptionGroup var postgres: PostgresMode

    func validate() throws {
        if externalStack != nil && (postgres.databaseURL != nil || keep) {
            throw ValidationError("--stack plays against services started elsewhere: --database-url, --replicas and --keep do not apply")
        }
    }

    func run() async throws {
        let began = ContinuousClock.now
        let layout = StackLayout(directory: externalStack ?? dataDirectory)
        if externalStack == nil { try resetDirectory(layout) }
        if let clockStart {
            guard let start = Timestamp(iso8601: clockStart) else { throw ValidationError("--clock \(clockStart) is not an ISO 8601 instant such as 2026-03-02T09:00:00Z") }
            try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
            let offset = start.millisecondsSinceEpoch - Timestamp(Date()).millisecondsSinceEpoch
            try JSONCoding.encoder().encode(DrivenWallClock.State(offsetMilliseconds: offset)).write(to: URL(fileURLWithPath: layout.clockFile))
        }
        let bin = binDirectory.map { URL(fileURLWithPath: $0) } ?? defaultBinDirectory()
        if !noBuild && externalStack == nil { try buildServices(bin: bin) }
        let steps = Atomic<Int>(0)
        let say: @Sendable (String) -> Void = { text in
            let step = steps.add(1, ordering: .relaxed).newValue
            print("[\(step < 10 ? " " : "")\(step)] \(text)")
            fflush(nil)
        }
        let stack = externalStack != nil ? nil : try LocalStack(
            layout: layout, binDirectory: bin, anyPorts: true, databases: try postgres.databases(), replicas: postgres.replicas
        ) { print("     tenderctl: \($0)"); fflush(nil) }
        // Ctrl-C or SIGTERM at any point stops the services too, then ends the demo.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let interrupted = Task {
            for await _ in signals {
                print("tenderctl: stopping the stack")
                await stack?.stop()
                Foundation.exit(keep ? 0 : 130)
            }
        }
        defer { interrupted.cancel() }
        let url: @Sendable (String) throws -> String
        if let stack {
            say("starting the stack in \(layout.directory)")
            try await stack.start(freshDatabases: true)
            for instance in stack.instances {
                print("     \(instance.name): \(stack.instanceURL(instance.name))  (ops \(stack.opsURL(instance.name)), log \(layout.log(instance.name)))")
            }
            url = { stack.url($0) }
        } else {
            let endpoints = try layout.readEndpoints()
            say("playing against the running stack in \(layout.endpoints)")
            for spec in ServiceSpec.all { print("     \(spec.name): \(endpoints[spec.name] ?? "missing")") }
            url = { service in
                guard let url = endpoints[service] else { throw DemoFailure("\(layout.endpoints) has no URL for \(service)") }
                return url
            }
        }
        var failures: [String] = []
        do {
            let issuer = try externalStack == nil ? layout.prepare() : layout.externalIssuer()
            // With replicas, each client spreads its calls over all of a service's processes.
            let intake = RPCClient(transport: try transport(url("intake")))
            let vault = RPCClient(transport: try transport(url("vault")))
            let records = RPCClient(transport: try transport(url("records")))
            let scenario = IntakeScenario(intake: intake, vault: vault, issuer: issuer, clockFile: layout.clockFile, seed: seed) { say($0) }
            let outcome = try await scenario.run()
            // For tests that search for them independently; outside every service's directory.
            try outcome.startups.map(\.canary).joined(separator: "\n").write(toFile: layout.directory + "/canaries.txt", atomically: true, encoding: .utf8)

            let evaluation = RPCClient(transport: try transport(url("evaluation")))
            let evaluated = try await EvaluationScenario(
                evaluation: evaluation, vault: vault, issuer: issuer, seed: seed, challenge: outcome.challenge, startups: outcome.startups
            ) { say($0) }.run()
            // Patient retries: the system test kills Negotiation with -9 around the award, and
            // the stack restarts it on the same ports within a second or two.
            let negotiation = RPCClient(
                transport: try transport(url("negotiation")),
                retryPolicy: RetryPolicy(maxAttempts: 12, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2)))
            let negotiated = try await NegotiationScenario(
                negotiation: negotiation, vault: vault, issuer: issuer, clockFile: layout.clockFile, challenge: outcome.challenge,
                startups: outcome.startups, result: evaluated.result
            ) { say($0) }.run()
            let expectedEvents = outcome.expectedEvents
                .merging(evaluated.expectedEvents) { $0 + $1 }
                .merging(negotiated.expectedEvents) { $0 + $1 }

            say("waiting for every event to reach the record")
            let entries = try await RecordCheck.waitForEvents(records: records, challenge: outcome.challenge, expected: expectedEvents)
            let counts = Dictionary(grouping: entries, by: \.event.type).mapValues(\.count)
            for (type, count) in expectedEvents.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where counts[type, default: 0] != count {
                failures.append("the record holds \(counts[type, default: 0]) \(type.rawValue) events, expected \(count)")
            }
            if Set(entries.map(\.event.id)).count != entries.count { failures.append("the record holds an event id twice") }
            print("     \(entries.count) events: " + counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "))

            say("verifying the record with only its public key (tenderctl record verify --all)")
            let verifierKeyFile = externalStack == nil ? layout.recordsVerifierKey : layout.directory + "/records.vkey"
            let key = try RecordCheck.verifierKey(at: verifierKeyFile)
            let report = try await RecordAuditor(client: records, key: key).verify(trusted: nil, entries: entries.map(\.index))
            print("     checkpoint signed by \(key.name): size \(report.checkpoint.size), \(report.entriesVerified.count) entries proven included")
            print("     again by hand: tenderctl record verify --url \(try url("records").split(separator: ",")[0]) --key \(verifierKeyFile) --all --state \(layout.directory)/record-audit.json")

            say("the procurement protocol (Records GetProtocol) and the OCDS export (Records ExportOCDS)")
            let auditor = try await issuer.token(subject: "revisor", roles: [.auditor], validFor: .seconds(600))
            let procurementProtocol = try await records.call(RecordsAPI.getProtocol, GetProtocolRequest(challenge: outcome.challenge), options: CallOptions(timeout: .seconds(30), token: auditor))
            try procurementProtocol.markdown.write(toFile: layout.directory + "/protocol.md", atomically: true, encoding: .utf8)
            let ocds = try await records.call(RecordsAPI.exportOCDS, ExportOCDSRequest(challenge: outcome.challenge), options: CallOptions(timeout: .seconds(30)))
            try CanonicalJSON.encode(ocds).write(to: URL(fileURLWithPath: layout.directory + "/ocds.json"))
            for decision in procurementProtocol.decisions where Self.protocolHighlights.contains(decision.type) {
                let line = "#\(decision.index) \(decision.time.iso8601) \(decision.actor.subject): \(decision.summary)" + (decision.reason.map { " — \($0)" } ?? "")
                print("     " + (line.count > 170 ? line.prefix(169) + "…" : line))
            }
            print("     \(procurementProtocol.decisions.count) decisions, \(procurementProtocol.confidentialAccesses) confidential reads; in full: \(layout.directory)/protocol.md; OCDS 1.1 record package (\(ocds.records.first?.releases.count ?? 0) releases): \(layout.directory)/ocds.json")

            say("checking that no startup secret left the Vault")
            let canaries = outcome.startups.map(\.canary)
            let leaks: [String]
            if let stack {
                leaks = IsolationCheck.scan(directories: [layout.data("intake"), layout.data("evaluation"), layout.data("negotiation"), layout.data("records"), layout.logs], for: canaries)
                    + IsolationCheck.scan(directories: [layout.data("vault")], for: canaries).map { "in the Vault's own files (plaintext at rest): " + $0 }
                    + IsolationCheck.scan(files: [layout.directory + "/protocol.md", layout.directory + "/ocds.json"], for: canaries)
                    + (try await IsolationCheck.scan(databases: stack.databases, for: canaries))
                if leaks.isEmpty {
                    print("     \(canaries.count) planted canaries: none in Intake's, Evaluation's, Negotiation's or Records' databases, in any log, in the protocol or the OCDS export, or unencrypted in the Vault's \(stack.databases == nil ? "files" : "files and database") (evaluators, negotiators and officers read them through the Vault)")
                }
            } else {
                leaks = IsolationCheck.scan(files: [layout.directory + "/protocol.md", layout.directory + "/ocds.json"], for: canaries)
                if leaks.isEmpty {
                    print("     \(canaries.count) planted canaries: none in the protocol or the OCDS export; the services' storage and logs are the deployment's to search (\(layout.directory)/canaries.txt)")
                }
            }
            failures += leaks

            print("")
            print("Summary")
            print("  challenge        \(outcome.challenge): \"Smarter mobility for the outer districts\", 4 places")
            print("  interest         \(outcome.interest) startups registered; \(outcome.amendments) amendment announced to all of them")
            print("  questions        \(outcome.questionsAsked) asked, \(outcome.questionsAnswered) answered to everyone, anonymised")
            print("  applications     \(outcome.submitted) received, \(outcome.amended) amended, \(outcome.withdrawn) withdrawn, \(outcome.refusedLate) refused as late")
            print("  intake closed    \(outcome.summary.applications) applications stand (closed \(outcome.summary.closedAt.iso8601), driven clock)")
            print("  vault            \(outcome.submitted + outcome.refusedLate + 1) deposits, \(outcome.shredded) startups' data shredded, \(evaluated.opens) reads by evaluators, each under a grant")
            print("  panel            5 evaluators; \(evaluated.declarations) declarations of impartiality, \(evaluated.recusals) recusals; \(evaluated.sheets) score sheets; \(evaluated.consensus) consensus scores")
            let agreement = evaluated.result.agreement.map { "\($0.criterion) \(String(format: "%.2f", Double($0.kendallsWTenThousandths) / 10_000))" }
            print("  agreement        Kendall's W: " + agreement.joined(separator: ", "))
            print("  shortlist        " + evaluated.result.ranking.filter(\.shortlisted).map { "\($0.rank). \($0.companyName) \(String(format: "%.2f", Double($0.totalHundredths) / 100))" }.joined(separator: "; "))
            let feedback = evaluated.feedback
            print("  feedback         \(evaluated.feedbackCompany): rank \(feedback.rank) of \(feedback.applications), \(String(format: "%.2f", Double(feedback.totalHundredths) / 100)) points — \(feedback.reason ?? "")")
            for criterion in feedback.criteria {
                print("                     \(criterion.name) (\(criterion.weight)%): \(String(format: "%.2f", Double(criterion.hundredths) / 100))" + (criterion.reasons.first.map { " — \"\($0)\"" } ?? ""))
            }
            print("  its access log   " + evaluated.accessLog.prefix(3).map { "\($0.reader.subject) read \($0.field) at \($0.time.iso8601) for \($0.purpose)" }.joined(separator: "; ") + (evaluated.accessLog.count > 3 ? "; … (\(evaluated.accessLog.count) reads)" : ""))
            print("  dialogues        " + negotiated.dialogues.map { "\($0.companyName): \($0.status.rawValue)" + ($0.outcome.map { " (\($0.decision.kind.rawValue)" + ($0.decision.value.map { ", \($0)" } ?? "") + ")" } ?? "") }.joined(separator: "; "))
            print("  clarification    \(negotiated.clarification.recipients.count) recipients at \(negotiated.clarification.sentAt.iso8601), one text (\(negotiated.clarification.digest))")
            print("  award            notice to all \(negotiated.dialogues.count) dialogues at \(negotiated.award.decidedAt.iso8601); standstill until \(negotiated.award.standstillEnd.iso8601); complaint \(negotiated.complaint.number) \(negotiated.complaint.outcome?.rawValue ?? "open")")
            print("  early signing    refused: \(negotiated.earlySigning)")
            print("  dialogue reads   \(negotiated.reads) reads of dialogue content in the Vault, each under a Negotiation grant")
            print("  record           \(entries.count) events, signed checkpoint of size \(report.checkpoint.size), every entry proven")
            let took = (ContinuousClock.now - began).components
            print("  took             \(took.seconds).\(String(format: "%01d", took.attoseconds / 100_000_000_000_000_000)) s")
        } catch {
            failures.append("\(error)")
        }
        if keep && failures.isEmpty {
            print("the stack keeps running (Ctrl-C or SIGTERM stops it); endpoints in \(layout.endpoints)")
            // Flushed (fflush(NULL): every stream), so whoever waits for this line in a file or a
            // pipe sees it while the stack runs.
            fflush(nil)
            await interrupted.value
        }
        await stack?.stop()
        if failures.isEmpty {
            print("DEMO OK")
        } else {
            for failure in failures { FileHandle.standardError.write(Data("DEMO FAILED: \(failure)\n".utf8)) }
            throw ExitCode(1)
        }
    }

    /// The protocol lines the demo prints (the full protocol goes to DIR/protocol.md).
    static let protocolHighlights: Set<EventType> = [
        .challengePublished, .intakeClosed, .shortlistDecided, .clarificationSent, .pilotDecided, .awardDecided,
        .complaintRegistered, .complaintResolved, .standstillEnded, .agreementSigned, .phaseGateDecided,
    ]

    /// A transport to a service's URLs on the HTTP/2 engine the services use (`RPC_ENGINE`).
    func transport(_ urls: String) throws -> any ClientTransport {
        try ServiceRuntime.transport(urls: urls, engine: .fromEnvironment, logger: Logger(label: "tenderctl"))
    }

    /// Empties DIR if it is a previous stack's directory; refuses to touch anything else.
    func resetDirectory(_ layout: StackLayout) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: layout.directory) else { return }
        let contents = try files.contentsOfDirectory(atPath: layout.directory)
        guard contents.isEmpty || files.fileExists(atPath: layout.marker) else {
            throw ValidationError("\(layout.directory) is not empty and not a TenderDialogue stack directory; choose another --data-dir")
        }
        try files.removeItem(atPath: layout.directory)
    }

    /// From a checkout (`swift run tenderctl demo`), builds the service executables too: `swift
    /// run` builds only tenderctl.
    func buildServices(bin: URL) throws {
        let checkout = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: checkout + "/Package.swift"),
              bin.path.hasPrefix(URL(fileURLWithPath: checkout + "/.build").resolvingSymlinksInPath().path) else { return }
        let configuration = bin.path.contains("/release") ? "release" : "debug"
        for spec in ServiceSpec.all {
            print("building \(spec.executable) (\(configuration))")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["swift", "build", "-c", configuration, "--product", spec.executable]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("swift build --product \(spec.executable) failed") }
        }
    }
}

enum RecordCheck {
    static func verifierKey(at path: String) throws -> SignedNote.VerifierKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let key = SignedNote.VerifierKey(text) else {
            throw DemoFailure("no verifier key at \(path)")
        }
        return key
    }

    /// Reads the whole record until it holds at least the expected events of `challenge`
    /// (the outboxes deliver in the background), at most 120 s.
    static func waitForEvents(records: RPCClient, challenge: ChallengeID, expected: [EventType: Int]) async throws -> [RecordEntry] {
        let want = expected.values.reduce(0, +)
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        var entries: [RecordEntry] = []
        while true {
            if let size = try? await records.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size {
                while Int64(entries.count) < size {
                    guard let page = try? await records.call(RecordsAPI.getEntries, GetEntriesRequest(start: Int64(entries.count), count: min(1000, size - Int64(entries.count)))) else { break }
                    entries += page.entries
                }
            }
            let mine = entries.filter { $0.event.challenge == challenge }
            if mine.count >= want { return mine }
            if ContinuousClock.now > deadline {
                throw DemoFailure("after 120 s the record holds \(mine.count) of the \(want) expected events")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// Searches every file under some directories for strings that must not be there.
enum IsolationCheck {
    static func scan(files paths: [String], for needles: [String]) -> [String] {
        paths.flatMap { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ["cannot read \(path)"] }
            return needles.filter { text.contains($0) }.map { "\($0) found in \(path)" }
        }
    }

    /// PostgreSQL mode: every row of every service's database, as text; the Vault's may
    /// hold no canary in clear either.
    static func scan(databases: StackDatabases?, for needles: [String]) async throws -> [String] {
        guard let databases else { return [] }
        var found: [String] = []
        for spec in ServiceSpec.all {
            let text = try await databases.dump(spec.name)
            let hits = needles.filter { text.contains($0) }.map { "\($0) found in the database \(databases.name(spec.name))" }
            found += spec.name == "vault" ? hits.map { "in the Vault's own database (plaintext at rest): " + $0 } : hits
        }
        return found
    }

    static func scan(directories: [String], for needles: [String]) -> [String] {
        // Every canary starts with "CANARY-": find that (memchr, memcmp), then compare the whole.
        let prefix = Array("CANARY-".utf8)
        var found: [String] = []
        for directory in directories {
            guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
            for case let relative as String in walker {
                let path = directory + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let data = FileManager.default.contents(atPath: path) else { continue }
                let hits = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Set<String> in
                    var hits = Set<String>()
                    guard let base = bytes.baseAddress else { return hits }
                    var offset = 0
                    while offset < bytes.count, let hit = memchr(base + offset, Int32(prefix[0]), bytes.count - offset) {
                        let start = base.distance(to: UnsafeRawPointer(hit))
                        guard start + prefix.count <= bytes.count, memcmp(base + start, prefix, prefix.count) == 0 else {
                            offset = start + 1
                            continue
                        }
                        for needle in needles where start + needle.utf8.count <= bytes.count {
                            if memcmp(base + start, needle, needle.utf8.count) == 0 { hits.insert(needle) }
                        }
                        offset = start + 1
                    }
                    return hits
                }
                found += hits.sorted().map { "\($0) found in \(path)" }
            }
        }
        return found
    }
}
