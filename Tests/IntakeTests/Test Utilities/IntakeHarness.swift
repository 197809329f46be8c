import Crypto
import Foundation
import Intake
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Intake over a fresh database, served through the real ``RPCDispatcher`` on the
/// in-process transport with real tokens, with a clock the test sets and a stand-in for the
/// Vault's receipt key.
struct IntakeHarness: Sendable {
    let database: Database
    let clock: SettableClock
    let vaultKey: Curve25519.Signing.PrivateKey
    let intake: IntakeService
    let environment: TestEnvironment
    let dispatcher: RPCDispatcher
    /// Every line Intake and the dispatcher logged.
    let log: LogCapture

    /// Runs `body` with a harness on `backend` (nothing when PostgreSQL is not configured).
    static func run(_ backend: Backend, _ body: @Sendable (IntakeHarness) async throws -> Void) async throws {
        try await backend.withDatabase { test in
            let environment = try TestEnvironment(name: "intake")
            defer { environment.remove() }
            try await test.database.migrateServiceKit()
            try await test.database.migrate(component: IntakeMigrations.component, IntakeMigrations.all)
            let log = LogCapture()
            let logger = log.logger(label: "test.intake")
            let clock = SettableClock(Fixtures.start)
            let vaultKey = Curve25519.Signing.PrivateKey()
            let intake = IntakeService(database: test.database, clock: clock, receiptKey: VaultReceiptKey(publicKey: vaultKey.publicKey), logger: logger)
            let dispatcher = RPCDispatcher(
                router: IntakeHandlers(intake: intake).router, authenticator: try await JWTAuthenticator.trusting(environment.issuer),
                idempotency: SQLIdempotencyStore(database: test.database), logger: logger)
            try await body(IntakeHarness(database: test.database, clock: clock, vaultKey: vaultKey, intake: intake, environment: environment, dispatcher: dispatcher, log: log))
        }
    }

    // MARK: Callers

    func client(token: String?) -> RPCClient {
        RPCClient(transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: token.map(StaticTokenProvider.init), retryPolicy: .none, logger: log.logger(label: "test.client"))
    }

    func client(_ role: Role, subject: String? = nil, organisation: OrgNumber? = nil) async throws -> RPCClient {
        client(token: try await environment.token(role, subject: subject ?? role.rawValue, organisation: organisation))
    }

    func officer() async throws -> RPCClient { try await client(.officer, subject: "kari.officer") }

    /// The startup of `Fixtures.organisations[index]`.
    func startup(_ index: Int) async throws -> RPCClient {
        try await client(.startup, subject: "founder-\(index)", organisation: Fixtures.organisations[index])
    }

    // MARK: Scenarios

    /// A published challenge (created and published by an officer at `Fixtures.start`).
    func publishedChallenge(_ id: String = "smart-waste", terms: ChallengeTerms = Fixtures.terms()) async throws -> ChallengeID {
        let officer = try await officer()
        let challenge = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: ChallengeID(id), terms: terms))
        _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: challenge.id))
        return challenge.id
    }

    /// A receipt signed with the harness's Vault key.
    func receipt(for index: Int, challenge: ChallengeID) throws -> DepositReceipt {
        try Fixtures.receipt(owner: Fixtures.organisations[index], challenge: challenge, key: vaultKey)
    }

    /// Startup `index` applies to `challenge`.
    @discardableResult
    func submit(_ index: Int, to challenge: ChallengeID, part: ApplicationPublicPart = Fixtures.publicPart()) async throws -> ApplicationReceipt {
        try await startup(index).call(IntakeAPI.submitApplication, SubmitApplicationRequest(
            challenge: challenge, application: part, confidential: try receipt(for: index, challenge: challenge)))
    }

    // MARK: What was stored

    /// Every event in the outbox, oldest first.
    func events() async throws -> [ProcurementEvent] {
        try await database.outboxEvents()
    }

    /// The applicant salts Intake keeps, by application: what seals who applied until the
    /// closing publishes them.
    func applicantSalts() async throws -> [ApplicationID: [UInt8]] {
        var salts: [ApplicationID: [UInt8]] = [:]
        for row in try await database.sql.raw("SELECT id, applicant_salt FROM intake_applications").all() {
            let id = try #require(ApplicationID(try row.decode(column: "id", as: String.self)))
            salts[id] = Array(try #require(Data(base64Encoded: try row.decode(column: "applicant_salt", as: String.self))))
        }
        return salts
    }

    /// A fingerprint of every Intake row and the outbox: equal before and after a refused
    /// call proves that it stored nothing.
    func fingerprint() async throws -> String {
        try await database.fingerprint([
            "SELECT id, status, revision, terms, questions_deadline, application_deadline, published_at, closed_at, rejected_late, summary FROM intake_challenges ORDER BY seq",
            "SELECT challenge_id, number, reason, changes, notified FROM intake_amendments ORDER BY challenge_id, number",
            "SELECT challenge_id, amendment, org FROM intake_notices ORDER BY challenge_id, amendment, org",
            "SELECT challenge_id, org, company_name FROM intake_interests ORDER BY seq",
            "SELECT id, question, published_question, answer, number FROM intake_questions ORDER BY seq",
            "SELECT id, status, public_part, version, digest, withdrawn_at, applicant_salt FROM intake_applications ORDER BY seq",
            "SELECT application_id, version, digest FROM intake_application_versions ORDER BY application_id, version",
            "SELECT event_id FROM outbox ORDER BY seq",
        ])
    }

    /// Runs `body`, expects it to be refused with `code` (and, when given, a violation of
    /// `field`), and that nothing was stored. Returns the error for further checks.
    @discardableResult
    func expectRefusal(_ code: ErrorCode, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async throws -> RPCError? {
        let before = try await fingerprint()
        let error = await refusal(of: body)
        #expect(error?.code == code, "expected \(code), got \(error.map(String.init(describing:)) ?? "success")", sourceLocation: sourceLocation)
        if let field { #expect(error?.fieldPath == field, "violation names \(error?.fieldPath ?? "no field")", sourceLocation: sourceLocation) }
        #expect(try await fingerprint() == before, "a refused call changed nothing", sourceLocation: sourceLocation)
        return error
    }

    /// The events `body` enqueued.
    func newEvents<T>(_ body: () async throws -> T) async throws -> (T, [ProcurementEvent]) {
        let before = try await events().count
        let result = try await body()
        return (result, Array(try await events().dropFirst(before)))
    }
}

