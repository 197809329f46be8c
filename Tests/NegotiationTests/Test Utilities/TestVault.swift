import Crypto
import Foundation
import JWTKit
import Logging
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Vault

/// The real Vault, served in process over a database of its own: it trusts the harness's
/// token issuer and Negotiation's grant key (issuer `negotiation`), and signs receipts with
/// the key Negotiation verifies them with.
struct TestVault: Sendable {
    let dispatcher: RPCDispatcher
    let environment: TestEnvironment

    /// Runs `body` with a Vault for `harness` (whose Vault receipt key it signs with).
    static func with(_ harness: NegotiationHarness, _ body: (TestVault) async throws -> Void) async throws {
        try await Backend.sqlite.withDatabase { test in
            try await test.database.migrateServiceKit()
            let store = try await VaultStore.open(test.database)
            let negotiation = AccessGrantIssuer(name: "negotiation", privateKey: harness.grantKey)
            let verifier = await GrantVerifier(issuerKeys: ["negotiation": try EdDSA.PublicKey(pem: negotiation.publicKeyPEM)])
            let handlers = VaultHandlers(
                store: store, ring: try KeyRing(current: 1, keys: [1: SymmetricKey(size: .bits256)]), receiptSigner: ReceiptSigner(key: harness.vaultKey),
                grantVerifier: verifier, clock: harness.clock, outbox: nil)
            let dispatcher = RPCDispatcher(
                router: handlers.router, authenticator: try await JWTAuthenticator.trusting(harness.environment.issuer),
                idempotency: SQLIdempotencyStore(database: test.database), logger: Logger(label: "test.vault"))
            try await body(TestVault(dispatcher: dispatcher, environment: harness.environment))
        }
    }

    func client(_ role: Role, subject: String, organisation: OrgNumber? = nil) async throws -> RPCClient {
        let token = try await environment.token(role, subject: subject, organisation: organisation)
        return RPCClient(transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: StaticTokenProvider(token), retryPolicy: .none)
    }

    /// Deposits `content` for organisation `index` as `field`: by the startup itself, or by
    /// `author` (an officer or negotiator) for it.
    func deposit(_ content: String, for index: Int, field: String, by author: Actor? = nil) async throws -> DepositResponse {
        let owner = Fixtures.organisations[index]
        let client = if let author { try await self.client(author.role, subject: author.subject) } else { try await self.client(.startup, subject: "founder-\(index)", organisation: owner) }
        return try await client.call(VaultAPI.deposit, DepositRequest(
            challenge: Fixtures.challenge, field: field, bytes: Data(content.utf8), owner: author == nil ? nil : owner))
    }

    /// Opens `ref` with `grant` as `reader`; returns the content.
    func open(_ ref: VaultRef, grant: AccessGrant, as reader: Actor, organisation: OrgNumber? = nil) async throws -> String {
        let response = try await client(reader.role, subject: reader.subject, organisation: organisation).call(VaultAPI.open, OpenRequest(ref: ref, grant: grant.grant))
        return String(decoding: response.bytes ?? Data(), as: UTF8.self)
    }
}
