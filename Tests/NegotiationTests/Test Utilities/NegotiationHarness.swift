import Crypto
import Foundation
import Logging
import Messages
import Negotiation
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Negotiation over a fresh database, served through the real ``RPCDispatcher`` on the
/// in-process transport with real tokens, with a clock the test sets, ``FakeEvaluation``
/// behind the real ``RPCEvaluationSource``, and a test key standing in for the Vault's receipt
/// key (Negotiation only verifies receipts; ``VaultFlowTests`` uses the real Vault).
struct NegotiationHarness: Sendable {
    let database: Database
    let clock: SettableClock
    let evaluation: FakeEvaluation
    let vaultKey: Curve25519.Signing.PrivateKey
    let grantKey: Curve25519.Signing.PrivateKey
    let service: NegotiationService
    let environment: TestEnvironment
    let dispatcher: RPCDispatcher
    let log: LogCapture

    static let challenge = Fixtures.challenge
    static let grantSeconds = 300
    static let standstillDays = 10
    static let negotiator = "nina.negotiator"

    /// Runs `body` with a harness on `backend` (nothing when PostgreSQL is not configured).
    static func run(_ backend: Backend, vaultKey: Curve25519.Signing.PrivateKey = .init(), _ body: @Sendable (NegotiationHarness) async throws -> Void) async throws {
        try await backend.withDatabase { test in
            let environment = try TestEnvironment(name: "negotiation")
            defer { environment.remove() }
            try await test.database.migrateServiceKit()
            try await test.database.migrate(component: NegotiationMigrations.component, NegotiationMigrations.all)
            let log = LogCapture()
            let logger = log.logger(label: "test.negotiation")
            let clock = SettableClock(Fixtures.start)
            let evaluation = FakeEvaluation()
            let grantKey = Curve25519.Signing.PrivateKey()
            let service = NegotiationService(
                database: test.database, clock: clock,
                evaluation: RPCEvaluationSource(client: try await evaluation.client(environment: environment, logger: logger)),
                receiptKey: VaultReceiptKey(publicKey: vaultKey.publicKey), grantIssuer: AccessGrantIssuer(name: "negotiation", privateKey: grantKey),
                policy: .init(grantSeconds: grantSeconds, standstillDays: standstillDays), logger: logger)
            let dispatcher = RPCDispatcher(
                router: NegotiationHandlers(negotiation: service).router, authenticator: try await JWTAuthenticator.trusting(environment.issuer),
                idempotency: SQLIdempotencyStore(database: test.database), logger: logger)
            try await body(NegotiationHarness(
                database: test.database, clock: clock, evaluation: evaluation, vaultKey: vaultKey, grantKey: grantKey, service: service,
                environment: environment, dispatcher: dispatcher, log: log))
        }
    }

    // MARK: Callers

    func client(_ role: Role, subject: String, organisation: OrgNumber? = nil) async throws -> RPCClient {
        let token = try await environment.token(role, subject: subject, organisation: organisation)
        return RPCClient(transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: StaticTokenProvider(token), defaultTimeout: .seconds(60), retryPolicy: .none, logger: log.logger(label: "test.client"))
    }

    func officer() async throws -> RPCClient { try await client(.officer, subject: "kari.officer") }
    func auditor() async throws -> RPCClient { try await client(.auditor, subject: "riksrevisjonen") }
    func negotiator(_ name: String = Self.negotiator) async throws -> RPCClient { try await client(.negotiator, subject: name) }
    /// The startup of `Fixtures.organisations[index]`.
    func startup(_ index: Int) async throws -> RPCClient { try await client(.startup, subject: "founder-\(index)", organisation: Fixtures.organisations[index]) }

    static let officerActor = Actor(subject: "kari.officer", role: .officer)
    static let negotiatorActor = Actor(subject: negotiator, role: .negotiator)

    // MARK: Scenarios

    /// Evaluation holds a finalised result shortlisting applications 0–2 (application 1 ranks
    /// first); an officer opens the dialogues with ``negotiator``.
    @discardableResult
    func open() async throws -> DialogueList {
        evaluation.put(Fixtures.evaluation(), result: Fixtures.result())
        return try await officer().call(NegotiationAPI.openDialogues, OpenDialoguesRequest(challenge: Self.challenge, negotiators: [Self.negotiator]))
    }

    /// The dialogue of organisation `index`.
    func dialogue(_ index: Int) async throws -> Dialogue {
        let list = try await officer().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: Self.challenge))
        return try #require(list.dialogues.first { $0.orgNumber == Fixtures.organisations[index] })
    }

    func id(_ index: Int) async throws -> DialogueID { try await dialogue(index).dialogue }

    /// A receipt, signed with the test Vault key, for `content` deposited as `field` for
    /// organisation `index` — by `author`, or by the organisation itself when nil.
    func receipt(_ index: Int, field: String, author: Actor? = nil, content: String = "confidential content", challenge: ChallengeID = Self.challenge) throws -> DepositReceipt {
        let salt = (0..<32).map { _ in UInt8.random(in: 0...255) }
        return try DepositReceipt(
            ref: .random(), owner: Fixtures.organisations[index], challenge: challenge, field: field,
            commitment: SaltedDigest(digest: .salted(Data(content.utf8), salt: salt), salt: Data(salt).base64EncodedString()),
            depositedAt: clock.now(), keyID: VaultReceiptKey(publicKey: vaultKey.publicKey).keyID, author: author).signed(with: vaultKey)
    }

    /// Startup `index` submits an offer.
    @discardableResult
    func offer(_ index: Int) async throws -> Offer {
        try await startup(index).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: try await id(index), offer: try receipt(index, field: NegotiationAPI.Field.offer)))
    }

    /// An officer decides `decisions` (each startup index with its decision).
    @discardableResult
    func decide(_ decisions: [(Int, AgreementKind, Money?, [AgreementPhase]?)]) async throws -> Award {
        var list: [DialogueDecision] = []
        for (index, kind, value, phases) in decisions {
            list.append(DialogueDecision(dialogue: try await id(index), kind: kind, value: value, reason: "Decision for \(Fixtures.companies[index]).", phases: phases))
        }
        return try await officer().call(NegotiationAPI.decide, DecideRequest(challenge: Self.challenge, decisions: list))
    }

    // MARK: What was stored

    /// Every event in the outbox, oldest first.
    func events() async throws -> [ProcurementEvent] {
        try await database.outboxEvents()
    }

    /// The events `body` enqueued.
    func newEvents<T>(_ body: () async throws -> T) async throws -> (T, [ProcurementEvent]) {
        let before = try await events().count
        let result = try await body()
        return (result, Array(try await events().dropFirst(before)))
    }

    /// How many rows `table` holds.
    func count(_ table: String) async throws -> Int {
        try await database.sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM " + table)).first().map { Int(try $0.decode(column: "n", as: Int64.self)) } ?? 0
    }

    /// A fingerprint of every Negotiation row and the outbox: equal before and after a refused
    /// call proves that it stored nothing.
    func fingerprint() async throws -> String {
        try await database.fingerprint([
            "SELECT challenge_id FROM neg_challenges ORDER BY challenge_id",
            "SELECT * FROM neg_dialogues ORDER BY dialogue_id",
            "SELECT * FROM neg_refs ORDER BY dialogue_id, ref",
            "SELECT * FROM neg_rounds ORDER BY dialogue_id, number",
            "SELECT * FROM neg_messages ORDER BY dialogue_id, number",
            "SELECT * FROM neg_offers ORDER BY dialogue_id, version",
            "SELECT * FROM neg_pilots ORDER BY dialogue_id, number",
            "SELECT * FROM neg_clarifications ORDER BY challenge_id, number",
            "SELECT * FROM neg_notices ORDER BY dialogue_id, kind, number",
            "SELECT * FROM neg_awards ORDER BY challenge_id, number",
            "SELECT * FROM neg_complaints ORDER BY challenge_id, number",
            "SELECT grant_id FROM neg_grants ORDER BY grant_id",
            "SELECT event_id FROM outbox ORDER BY seq",
        ])
    }

    /// Every value in every table of the database (Negotiation's, the idempotency store, the
    /// outbox, the migrations'), as text, to search for what must never be stored.
    func storedTexts() async throws -> [String] {
        let tables = try await database.tableNames()
        #expect(tables.contains("idempotency_keys") && tables.contains("neg_pilots") && tables.contains("outbox"), "\(tables)")
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
}

