import Crypto
import Foundation
import Logging
import Messages
import RPC
@testable import Records
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// The record over a real database (SQLite and PostgreSQL), through the RPC dispatcher.
@Suite("Record log")
struct RecordLogTests {
    static let signerKey = Curve25519.Signing.PrivateKey()
    static let signer = CheckpointSigner(origin: "test.example/records", key: signerKey)

    static func event(_ n: Int, challenge: String = "smart-oslo") -> ProcurementEvent {
        ProcurementEvent(
            id: EventID("ev-\(n)")!, challenge: ChallengeID(challenge)!, actor: Actor(subject: "intake", role: .service),
            time: Timestamp(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(n)),
            payload: .interestRegistered(InterestRegistered(orgNumber: OrgNumber("923609016")!, companyName: "Startup \(n) AS")))
    }

    /// A log on `database` behind a dispatcher, called in process by a service and by the public.
    struct Harness {
        let log: RecordLog
        let service: RPCClient
        let anyone: RPCClient
        let officer: RPCClient

        init(database: Database) async throws {
            try await database.migrateServiceKit()
            try await database.migrate(component: RecordsMigrations.component, RecordsMigrations.all)
            log = try await RecordLog.open(database: database, signer: RecordLogTests.signer, logger: Logger(label: "test.records"))
            let issuer = LocalTokenIssuer(audience: "tenderdialogue")
            let dispatcher = RPCDispatcher(
                router: RecordsHandlers(log: log, publication: PublicationSettings()).router,
                authenticator: try await JWTAuthenticator.trusting(issuer), idempotency: SQLIdempotencyStore(database: database),
                logger: Logger(label: "test.records"))
            let transport = InProcessTransport(dispatcher: dispatcher)
            service = RPCClient(transport: transport, tokenProvider: StaticTokenProvider(try await issuer.token(subject: "tender-intake", roles: [.service])))
            anyone = RPCClient(transport: transport)
            officer = RPCClient(transport: transport, tokenProvider: StaticTokenProvider(try await issuer.token(subject: "kari", roles: [.officer])))
        }
    }

    @Test("concurrent appends get contiguous indices, each event once; every proof verifies", arguments: Backend.allCases)
    func appendAndProve(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let harness = try await Harness(database: test.database)
            let responses = try await withThrowingTaskGroup(of: AppendResponse.self) { group in
                for n in 0..<60 {
                    group.addTask { try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(n))) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(responses.map(\.index)) == Set(0..<60), "contiguous, no gaps, no duplicates")
            #expect(responses.allSatisfy { !$0.duplicate })
            // The same event again: the first index, nothing appended.
            let again = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(7)))
            #expect(again.duplicate)
            #expect(again.index == responses.first { $0.leafHash == again.leafHash }?.index)

            let checkpoint = try await harness.anyone.call(RecordsAPI.getCheckpoint, GetCheckpointRequest())
            #expect(checkpoint.size == 60)
            let body = try CheckpointVerifier.verify(checkpoint, key: Self.signer.verifierKey)

            // Recompute the tree from the served leaf bytes, independently of the service.
            let entries = try await harness.anyone.call(RecordsAPI.getEntries, GetEntriesRequest(start: 0, count: 1000)).entries
            #expect(entries.map(\.index) == Array(0..<60))
            var range = CompactRange()
            var roots: [Merkle.Hash] = [Merkle.emptyRoot]
            for entry in entries {
                let leaf = try #require(Data(base64Encoded: entry.leaf))
                #expect(leaf == (try CanonicalJSON.encode(entry.event)))
                _ = range.append(leafHash: Merkle.leafHash(Array(leaf)))
                roots.append(range.root)
            }
            #expect(range.root == body.root)
            #expect(Set(entries.map(\.event.id.rawValue)).count == 60)

            for index in stride(from: Int64(0), to: 60, by: 7) {
                for size in [index + 1, 33, 60] where size > index {
                    let proof = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(index: index, treeSize: size))
                    let hashes = proof.hashes.map { Array(Data(base64Encoded: $0)!) }
                    let leafHash = Array(Data(base64Encoded: proof.leafHash)!)
                    #expect(MerkleVerifier.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: hashes, root: roots[Int(size)]))
                }
            }
            let byHash = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(leafHash: responses[0].leafHash, treeSize: 60))
            #expect(byHash.leafIndex == responses[0].index)
            for (first, second) in [(1, 60), (13, 60), (32, 33), (59, 60), (60, 60), (7, 8)] as [(Int64, Int64)] {
                let proof = try await harness.anyone.call(RecordsAPI.proveConsistency, ProveConsistencyRequest(first: first, second: second))
                let hashes = proof.hashes.map { Array(Data(base64Encoded: $0)!) }
                #expect(MerkleVerifier.verifyConsistency(first: first, second: second, firstRoot: roots[Int(first)], secondRoot: roots[Int(second)], proof: hashes))
            }
        }
    }

    @Test("bad requests are refused with the right code and change nothing", arguments: Backend.allCases)
    func refusals(_ backend: Backend) async throws {
        try await backend.withDatabase { test in
            let harness = try await Harness(database: test.database)
            for n in 0..<3 { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(n))) }
            func code(_ body: () async throws -> Void) async -> ErrorCode? {
                do { try await body(); return nil } catch let error as RPCError { return error.code } catch { return .unknown }
            }
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.append, AppendRequest(event: Self.event(9))) } == .unauthenticated)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(index: 0, treeSize: 4)) } == .outOfRange)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(index: 3, treeSize: 3)) } == .outOfRange)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(treeSize: 3)) } == .invalidArgument)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveInclusion, ProveInclusionRequest(leafHash: Data(repeating: 1, count: 32).base64EncodedString(), treeSize: 3)) } == .notFound)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveConsistency, ProveConsistencyRequest(first: 0, second: 3)) } == .invalidArgument)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveConsistency, ProveConsistencyRequest(first: 3, second: 2)) } == .invalidArgument)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.proveConsistency, ProveConsistencyRequest(first: 1, second: 4)) } == .outOfRange)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.getEntries, GetEntriesRequest(start: 0, count: 0)) } == .invalidArgument)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.getEntries, GetEntriesRequest(start: 3, count: 1)) } == .outOfRange)
            #expect(await code { _ = try await harness.anyone.call(RecordsAPI.getEntry, GetEntryRequest(index: -1)) } == .invalidArgument)
            // The same event id with other content is a conflict, not a repeat.
            var changed = Self.event(1)
            changed.time = Timestamp(millisecondsSinceEpoch: 1)
            #expect(await code { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: changed)) } == .alreadyExists)
            #expect(try await harness.anyone.call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size == 3)
        }
    }

    @Test("a changed entry or hash is found at start: writes refused with data_loss, the auditor names it")
    func tamper() async throws {
        for target in ["leaf", "node", "inner node", "extra"] {
            try await Backend.sqlite.withDatabase { test in
                do {
                    let harness = try await Harness(database: test.database)
                    for n in 0..<10 { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(n))) }
                }
                switch target {
                case "leaf":
                    try await test.database.sql.raw("UPDATE record_entries SET leaf = REPLACE(leaf, 'Startup 3 AS', 'Startup 4 AS') WHERE idx = 3").run()
                case "node":
                    try await test.database.sql.raw("UPDATE record_nodes SET hash = \(bind: String(repeating: "ab", count: 32)) WHERE level = 3 AND idx = 0").run()
                case "inner node":
                    // Off the right edge: only proofs read it.
                    try await test.database.sql.raw("UPDATE record_nodes SET hash = \(bind: String(repeating: "cd", count: 32)) WHERE level = 1 AND idx = 1").run()
                default:
                    try await test.database.sql.raw("DELETE FROM record_checkpoints WHERE size = 10").run()
                }
                let reopened = try await Harness(database: test.database)
                let failure = await reopened.log.integrityFailure
                #expect(failure != nil, "\(target) change not found")
                let refused = await #expect(throws: RPCError.self) {
                    try await reopened.service.call(RecordsAPI.append, AppendRequest(event: Self.event(99)))
                }
                #expect(refused?.code == .dataLoss)
                if target == "leaf" {
                    #expect(failure?.contains("entry 3") == true)
                    let auditor = RecordAuditor(client: reopened.anyone, key: Self.signer.verifierKey)
                    let verdict = await #expect(throws: VerificationFailure.self) { try await auditor.verify(trusted: nil, entries: Array(0..<10)) }
                    #expect(verdict?.description.contains("entry 3") == true, "\(String(describing: verdict))")
                }
            }
        }
    }

    @Test("protocol and OCDS are served from a challenge's events; the protocol is for officers and auditors")
    func publication() async throws {
        try await Backend.sqlite.withDatabase { test in
            let harness = try await Harness(database: test.database)
            let story = AcceleratorStory()
            _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(1, challenge: "other")))
            for event in story.events { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: event)) }
            let challenge = AcceleratorStory.challenge
            let served = try await harness.anyone.call(RecordsAPI.getEntries, GetEntriesRequest(start: 1, count: 1000)).entries
            // What the service serves is exactly what an auditor derives from the entries.
            let document = try await harness.officer.call(RecordsAPI.getProtocol, GetProtocolRequest(challenge: challenge))
            #expect(document == ProtocolBuilder.build(challenge: challenge, entries: served))
            #expect(!document.decisions.isEmpty)
            let refused = await #expect(throws: RPCError.self) { try await harness.anyone.call(RecordsAPI.getProtocol, GetProtocolRequest(challenge: challenge)) }
            #expect(refused?.code == .unauthenticated)

            let package = try await harness.anyone.call(RecordsAPI.exportOCDS, ExportOCDSRequest(challenge: challenge))
            #expect(package.records.first?.ocid == "ocds-tenderdialogue-\(challenge)")
            let bytes = try CanonicalJSON.encode(package)
            #expect(bytes == (try CanonicalJSON.encode(try await harness.anyone.call(RecordsAPI.exportOCDS, ExportOCDSRequest(challenge: challenge)))), "the same package twice")
            let text = String(decoding: bytes, as: UTF8.self)
            for secret in story.secrets { #expect(!text.contains(secret), "\(secret) leaked into the OCDS export") }

            let unpublished = await #expect(throws: RPCError.self) { try await harness.anyone.call(RecordsAPI.exportOCDS, ExportOCDSRequest(challenge: ChallengeID("other")!)) }
            #expect(unpublished?.code == .notFound)
            let missing = await #expect(throws: RPCError.self) { try await harness.anyone.call(RecordsAPI.exportOCDS, ExportOCDSRequest(challenge: ChallengeID("nothing-here")!)) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("the auditor accepts growth and refuses a rewritten log")
    func auditor() async throws {
        try await Backend.sqlite.withDatabase { test in
            let harness = try await Harness(database: test.database)
            for n in 0..<5 { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(n))) }
            let auditor = RecordAuditor(client: harness.anyone, key: Self.signer.verifierKey)
            let first = try await auditor.verify(trusted: nil, entries: [0, 4])
            #expect(first.newState.size == 5)
            for n in 5..<12 { _ = try await harness.service.call(RecordsAPI.append, AppendRequest(event: Self.event(n))) }
            let second = try await auditor.verify(trusted: first.newState, entries: [11])
            #expect(second.newState.size == 12)
            // A trusted state from a different history (another root at size 5) is refused.
            var forked = first.newState
            forked.root = Data(repeating: 7, count: 32).base64EncodedString()
            let refused = await #expect(throws: VerificationFailure.self) { try await auditor.verify(trusted: forked, entries: []) }
            #expect(refused?.description.contains("not an extension") == true)
            // Another key does not verify the checkpoint.
            let stranger = RecordAuditor(client: harness.anyone, key: CheckpointSigner(origin: "test.example/records", key: Curve25519.Signing.PrivateKey()).verifierKey)
            await #expect(throws: VerificationFailure.self) { try await stranger.verify(trusted: nil, entries: []) }
        }
    }
}
