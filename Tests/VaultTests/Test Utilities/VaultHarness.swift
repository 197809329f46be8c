import Crypto
import Foundation
import JWTKit
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing
import Vault

/// A Vault served in process over one test database: the whole RPC pipeline (tokens, roles,
/// idempotency, codec) through ``InProcessTransport``, a test clock, two trusted grant
/// issuers, `evaluation` and `negotiation` (each with its default roles), and a key ring the
/// test chooses.
struct VaultHarness: Sendable {
    let test: TestDatabase
    let store: VaultStore
    let env: TestEnvironment
    let clock: SettableClock
    let evaluation: AccessGrantIssuer
    /// The private key of `evaluation`, to sign grants with odd claims.
    let evaluationKey: Curve25519.Signing.PrivateKey
    let negotiation: AccessGrantIssuer
    let negotiationKey: Curve25519.Signing.PrivateKey
    let receiptSigner: ReceiptSigner
    let ring: KeyRing
    let grantVerifier: GrantVerifier
    let client: RPCClient

    static let owner = OrgNumber("923609016")!
    static let otherOwner = OrgNumber("974760673")!
    static let challenge = ChallengeID("smart-oslo-2026")!
    static let logger = Logger(label: "test.vault")

    /// A ring of one version from fixed bytes, so another ring can hold the same key.
    static func ring(current: Int, keys: [Int: UInt8]) throws -> KeyRing {
        let entries = keys.sorted { $0.key < $1.key }.map { version, byte in
            #"{"version": \#(version), "key": "\#(Data(repeating: byte, count: 32).base64EncodedString())"}"#
        }
        return try KeyRing(json: Data(#"{"current": \#(current), "keys": [\#(entries.joined(separator: ", "))]}"#.utf8))
    }

    /// Runs `body` with a Vault on a fresh database of `backend` (nothing when the backend is
    /// not available).
    static func with(_ backend: Backend, ring: KeyRing? = nil, grantMaxSeconds: Int = 900, _ body: (VaultHarness) async throws -> Void) async throws {
        try await backend.withDatabase { test in
            let env = try TestEnvironment(name: "vault")
            defer { env.remove() }
            try await test.database.migrateServiceKit()
            let store = try await VaultStore.open(test.database)
            let evaluationKey = Curve25519.Signing.PrivateKey()
            let evaluation = AccessGrantIssuer(name: "evaluation", privateKey: evaluationKey)
            let negotiationKey = Curve25519.Signing.PrivateKey()
            let negotiation = AccessGrantIssuer(name: "negotiation", privateKey: negotiationKey)
            let verifier = await GrantVerifier(
                issuerKeys: [
                    "evaluation": try EdDSA.PublicKey(pem: evaluation.publicKeyPEM), "negotiation": try EdDSA.PublicKey(pem: negotiation.publicKeyPEM),
                ],
                maxLifetimeSeconds: grantMaxSeconds)
            let harness = try await VaultHarness(
                test: test, store: store, env: env, clock: SettableClock(), evaluationKey: evaluationKey, negotiationKey: negotiationKey,
                receiptSigner: ReceiptSigner(key: Curve25519.Signing.PrivateKey()), ring: ring ?? Self.ring(current: 1, keys: [1: 0x11]),
                grantVerifier: verifier)
            try await body(harness)
        }
    }

    init(test: TestDatabase, store: VaultStore, env: TestEnvironment, clock: SettableClock, evaluationKey: Curve25519.Signing.PrivateKey,
         negotiationKey: Curve25519.Signing.PrivateKey, receiptSigner: ReceiptSigner, ring: KeyRing, grantVerifier: GrantVerifier) async throws {
        self.test = test
        self.store = store
        self.env = env
        self.clock = clock
        self.evaluation = AccessGrantIssuer(name: "evaluation", privateKey: evaluationKey)
        self.evaluationKey = evaluationKey
        self.negotiation = AccessGrantIssuer(name: "negotiation", privateKey: negotiationKey)
        self.negotiationKey = negotiationKey
        self.receiptSigner = receiptSigner
        self.ring = ring
        self.grantVerifier = grantVerifier
        let handlers = VaultHandlers(store: store, ring: ring, receiptSigner: receiptSigner, grantVerifier: grantVerifier, clock: clock, outbox: nil)
        let dispatcher = RPCDispatcher(
            router: handlers.router, authenticator: try await JWTAuthenticator.trusting(env.issuer),
            idempotency: SQLIdempotencyStore(database: test.database),
            configuration: RPCServerConfiguration(requestDigestKey: receiptSigner.requestDigestKey), logger: Self.logger)
        client = RPCClient(transport: InProcessTransport(dispatcher: dispatcher), retryPolicy: .none, logger: Self.logger)
    }

    /// The same Vault (database, keys, clock) restarted with another key ring.
    func restarted(ring: KeyRing) async throws -> VaultHarness {
        try await VaultHarness(
            test: test, store: store, env: env, clock: clock, evaluationKey: evaluationKey, negotiationKey: negotiationKey,
            receiptSigner: receiptSigner, ring: ring, grantVerifier: grantVerifier)
    }

    var sql: any SQLDatabase { test.database.sql }

    // MARK: Callers

    func startup(_ owner: OrgNumber = Self.owner, subject: String = "founder") async throws -> String {
        try await env.issuer.token(subject: subject, roles: [.startup], organisation: owner)
    }

    func token(_ role: Role, subject: String) async throws -> String {
        try await env.issuer.token(subject: subject, roles: [role])
    }

    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, token: String, idempotencyKey: String? = nil) async throws(RPCError) -> Response {
        try await client.call(method, request, options: CallOptions(idempotencyKey: idempotencyKey, token: token))
    }

    /// Deposits `content` as `owner` and returns the response.
    func deposit(_ content: String, field: String = "technology", owner: OrgNumber = Self.owner, challenge: ChallengeID = Self.challenge) async throws -> DepositResponse {
        try await call(VaultAPI.deposit, DepositRequest(challenge: challenge, field: field, bytes: Data(content.utf8)), token: try await startup(owner))
    }

    /// Deposits `content` for `owner` as an officer or negotiator `subject` (its author).
    func deposit(_ content: String, for owner: OrgNumber, as role: Role, subject: String, field: String = "minutes", idempotencyKey: String? = nil) async throws -> DepositResponse {
        try await call(
            VaultAPI.deposit, DepositRequest(challenge: Self.challenge, field: field, bytes: Data(content.utf8), owner: owner),
            token: try await token(role, subject: subject), idempotencyKey: idempotencyKey)
    }

    /// A grant from `negotiation` for `subject` in `role`, valid from the test clock's now.
    func dialogueGrant(_ ref: VaultRef, subject: String, role: Role) async throws -> String {
        try await negotiation.grant(subject: subject, role: role, ref: ref, purpose: "dialogue", now: clock.now().date)
    }

    /// A grant from `evaluation` for `subject`, valid from the test clock's now.
    func grant(_ ref: VaultRef, subject: String = "eva", role: Role = .evaluator, purpose: String = "evaluation", validFor: Duration = .seconds(300)) async throws -> String {
        try await evaluation.grant(subject: subject, role: role, ref: ref, purpose: purpose, validFor: validFor, now: clock.now().date)
    }

    /// Opens `ref` as evaluator `subject` with `grant` (a fresh valid one when nil).
    func open(_ ref: VaultRef, subject: String = "eva", role: Role = .evaluator, grant: String? = nil) async throws(RPCError) -> OpenResponse {
        do {
            let token = try await token(role, subject: subject)
            var presented = grant
            if presented == nil { presented = try await self.grant(ref, subject: subject, role: role) }
            return try await call(VaultAPI.open, OpenRequest(ref: ref, grant: presented!), token: token)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "test setup failed: \(error)")
        }
    }

    // MARK: Rows

    func count(_ table: String, where condition: String = "1 = 1") async throws -> Int {
        Int(try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM " + table + " WHERE " + condition)).first()?.decode(column: "n", as: Int64.self) ?? 0)
    }

    /// The outbox payloads (AppendRequest JSON) in order.
    func outboxEvents() async throws -> [ProcurementEvent] {
        try await sql.raw("SELECT payload FROM outbox ORDER BY seq").all().map { row in
            try JSONCoding.decoder().decode(AppendRequest.self, from: Data(try row.decode(column: "payload", as: String.self).utf8)).event
        }
    }
}

/// The error `body` throws, expected to be an ``RPCError`` with `code`.
@discardableResult
func expectRPCError<T>(_ code: ErrorCode, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async -> RPCError? {
    do {
        _ = try await body()
        Issue.record("expected \(code.rawValue), but the call succeeded. \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error) \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
