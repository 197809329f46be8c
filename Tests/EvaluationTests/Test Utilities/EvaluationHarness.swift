import Crypto
import Evaluation
import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Evaluation over a fresh database, served through the real ``RPCDispatcher`` on the
/// in-process transport with real tokens, with a clock the test sets and ``FakeIntake``
/// behind the Intake seam.
struct EvaluationHarness: Sendable {
    let database: Database
    let clock: SettableClock
    let intake: FakeIntake
    let grantKey: Curve25519.Signing.PrivateKey
    let service: EvaluationService
    let environment: TestEnvironment
    let dispatcher: RPCDispatcher
    let log: LogCapture

    static let challenge = ChallengeID("smart-waste")!
    static let grantSeconds = 300

    /// Runs `body` with a harness on `backend` (nothing when PostgreSQL is not configured).
    static func run(_ backend: Backend, _ body: @Sendable (EvaluationHarness) async throws -> Void) async throws {
        try await backend.withDatabase { test in
            let environment = try TestEnvironment(name: "evaluation")
            defer { environment.remove() }
            try await test.database.migrateServiceKit()
            try await test.database.migrate(component: EvaluationMigrations.component, EvaluationMigrations.all)
            let log = LogCapture()
            let logger = log.logger(label: "test.evaluation")
            let clock = SettableClock(Fixtures.start)
            let intake = FakeIntake()
            let grantKey = Curve25519.Signing.PrivateKey()
            let service = EvaluationService(
                database: test.database, clock: clock, intake: intake, grantIssuer: AccessGrantIssuer(name: "evaluation", privateKey: grantKey),
                policy: .init(grantSeconds: grantSeconds, consensusSpreadPoints: 2), logger: logger)
            let dispatcher = RPCDispatcher(
                router: EvaluationHandlers(evaluation: service).router, authenticator: try await JWTAuthenticator.trusting(environment.issuer),
                idempotency: SQLIdempotencyStore(database: test.database), logger: logger)
            try await body(EvaluationHarness(
                database: test.database, clock: clock, intake: intake, grantKey: grantKey, service: service, environment: environment,
                dispatcher: dispatcher, log: log))
        }
    }

    // MARK: Callers

    func client(_ role: Role, subject: String, organisation: OrgNumber? = nil) async throws -> RPCClient {
        let token = try await environment.token(role, subject: subject, organisation: organisation)
        return RPCClient(transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: StaticTokenProvider(token), retryPolicy: .none, logger: log.logger(label: "test.client"))
    }

    func officer() async throws -> RPCClient { try await client(.officer, subject: "kari.officer") }
    func auditor() async throws -> RPCClient { try await client(.auditor, subject: "riksrevisjonen") }
    func evaluator(_ name: String) async throws -> RPCClient { try await client(.evaluator, subject: name) }

    /// An evaluator whose every call carries `idempotency-key: key`, also on idempotent
    /// methods, where ``RPCClient`` would leave it out.
    func evaluator(_ name: String, idempotencyKey key: String) async throws -> RPCClient {
        let token = try await environment.token(.evaluator, subject: name)
        return RPCClient(
            transport: KeyedTransport(inner: InProcessTransport(dispatcher: dispatcher), idempotencyKey: key), tokenProvider: StaticTokenProvider(token),
            retryPolicy: .none, logger: log.logger(label: "test.client"))
    }
    /// The startup of `Fixtures.organisations[index]`.
    func startup(_ index: Int) async throws -> RPCClient { try await client(.startup, subject: "founder-\(index)", organisation: Fixtures.organisations[index]) }

    // MARK: Scenarios

    /// Intake holds a closed challenge with one application per budget (kroner); an officer
    /// opens its evaluation.
    @discardableResult
    func open(terms: EvaluationTerms = Fixtures.terms(), budgets: [Int64] = [500_000, 400_000, 1_000_000]) async throws -> Evaluation {
        intake.put(
            Fixtures.challenge(Self.challenge, terms: terms, status: .closed),
            applications: budgets.enumerated().map { Fixtures.application($0.offset, challenge: Self.challenge, budget: Money(kroner: $0.element)) })
        return try await officer().call(EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: Self.challenge))
    }

    /// Assigns `evaluators` to every application (or `applications`) and has each declare
    /// impartiality for each.
    func panel(_ evaluators: [String], applications: [ApplicationID]? = nil, declare: Bool = true) async throws {
        _ = try await officer().call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: Self.challenge, evaluators: evaluators, applications: applications))
        guard declare else { return }
        var targets = applications ?? []
        if applications == nil {
            targets = try await officer().call(EvaluationAPI.getEvaluation, GetEvaluationRequest(challenge: Self.challenge)).applications.map(\.application)
        }
        for evaluator in evaluators {
            let client = try await self.evaluator(evaluator)
            for application in targets {
                _ = try await client.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: Self.challenge, application: application))
            }
        }
    }

    /// `evaluator` scores `application` with `points` (criterion → points) and a reason each.
    @discardableResult
    func score(_ evaluator: String, _ application: ApplicationID, _ points: [String: Int], done: Bool = true) async throws -> ScoreSheet {
        let scores = points.keys.sorted().map { CriterionScoreInput(criterion: $0, points: points[$0]!, reason: "\($0.capitalized): \(points[$0]!) points, for these reasons.") }
        return try await self.evaluator(evaluator).call(EvaluationAPI.submitScores, SubmitScoresRequest(challenge: Self.challenge, application: application, scores: scores, done: done))
    }

    static func app(_ index: Int) -> ApplicationID { ApplicationID("app-\(index)")! }

    // MARK: What was stored

    /// Every event in the outbox, oldest first.
    func events() async throws -> [ProcurementEvent] {
        try await database.outboxEvents()
    }

    /// A fingerprint of every Evaluation row and the outbox: equal before and after a refused
    /// call proves that it stored nothing.
    func fingerprint() async throws -> String {
        try await database.fingerprint([
            "SELECT challenge_id, status, terms, consensus_spread, opened_at, finalised_at, result FROM eval_evaluations ORDER BY challenge_id",
            "SELECT challenge_id, application_id, position, org, company_name, price, vault_ref, received_at FROM eval_applications ORDER BY challenge_id, position",
                """
                SELECT challenge_id, application_id, evaluator, declaration, ground, declared_at, removed_at, removed_by, removal_reason
                FROM eval_assignments ORDER BY challenge_id, application_id, evaluator
                """,
            "SELECT challenge_id, application_id, evaluator, scores, done, revision, digest FROM eval_sheets ORDER BY challenge_id, application_id, evaluator",
            "SELECT challenge_id, application_id, criterion, hundredths, reason FROM eval_consensus ORDER BY challenge_id, application_id, criterion",
            "SELECT grant_id FROM eval_grants ORDER BY grant_id",
            "SELECT event_id FROM outbox ORDER BY seq",
        ])
    }

    /// Every text value in every table of the database (Evaluation's, the idempotency store,
    /// the outbox, the migrations'), to search for what must never be stored.
    func storedTexts() async throws -> [String] {
        let tables = try await database.tableNames()
        #expect(tables.contains("idempotency_keys") && tables.contains("eval_grants"), "\(tables)")
        return try await database.storedTexts(in: tables)
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

