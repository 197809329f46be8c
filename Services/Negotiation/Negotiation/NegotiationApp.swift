import Crypto
import Foundation
import Logging
import Messages
import RPC
import ServiceKit

/// The `tender-negotiation` process: reads its settings, the Vault's receipt key and its
/// grant key, migrates, and serves Negotiation with the outbox sender (events to Records) and
/// the standstill watcher beside it.
public enum NegotiationApp {
    public static let defaultPort = 7500

    public static func run() async throws {
        let settings = try await ServiceSettings.load(service: "negotiation", defaultPort: defaultPort)
        let runtime = try await ServiceRuntime.start(settings)
        let negotiationSettings: NegotiationSettings
        do {
            negotiationSettings = try NegotiationSettings.load(settings, logger: runtime.logger)
            try await runtime.database.migrate(component: NegotiationMigrations.component, NegotiationMigrations.all)
        } catch {
            try? await runtime.database.close()
            throw error
        }
        let records = try runtime.client(url: negotiationSettings.recordsURL)
        let evaluation = try runtime.client(url: negotiationSettings.evaluationURL)
        let sender = OutboxSender(database: runtime.database, clients: [RecordsAPI.service: records], logger: runtime.logger)
        let negotiation = NegotiationService(
            database: runtime.database, clock: runtime.clock, evaluation: RPCEvaluationSource(client: evaluation),
            receiptKey: negotiationSettings.receiptKey, grantIssuer: negotiationSettings.grantIssuer,
            policy: .init(grantSeconds: negotiationSettings.grantSeconds, standstillDays: negotiationSettings.standstillDays),
            logger: runtime.logger, onEventsEnqueued: { sender.wake() })
        let watcher = StandstillWatcher.make(negotiation: negotiation, interval: negotiationSettings.standstillCheckInterval, logger: runtime.logger)
        runtime.logger.info("negotiation ready", metadata: [
            "grant_issuer": .string(negotiationSettings.grantIssuer.name), "grant_seconds": .stringConvertible(negotiationSettings.grantSeconds),
            "standstill_days": .stringConvertible(negotiationSettings.standstillDays), "vault_receipt_key_id": .string(negotiationSettings.receiptKey.keyID),
        ])
        try await runtime.run(
            router: NegotiationHandlers(negotiation: negotiation).router, services: [sender, watcher],
            requestDigestKey: requestDigestKey(negotiationSettings.grantIssuer))
    }

    /// The key under which the idempotency store keeps digests of keyed requests: derived
    /// from the grant key, which lives outside the database. A `ReportPilotResult` carries
    /// measured pilot values, so a plain digest of it in the database could confirm a guess.
    static func requestDigestKey(_ issuer: AccessGrantIssuer) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(base64Encoded: issuer.seedBase64) ?? Data()),
            info: Data("tender.negotiation.v1/request-digest".utf8), outputByteCount: 32)
    }
}
