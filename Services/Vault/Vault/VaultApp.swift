import Crypto
import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import ServiceLifecycle

/// The `tender-vault` process: reads its settings and keys, migrates, serves
/// `tender.vault.v1.VaultService` and delivers its events to Records through the outbox.
public enum VaultApp {
    public static let defaultPort = 7300

    public static func run() async throws {
        let settings = try await ServiceSettings.load(service: "vault", defaultPort: defaultPort)
        let runtime = try await ServiceRuntime.start(settings)
        let handlers: VaultHandlers
        let sender: OutboxSender
        let requestDigestKey: SymmetricKey
        do {
            let vault = try VaultSettings.load(settings, logger: runtime.logger)
            requestDigestKey = vault.receiptSigner.requestDigestKey
            let store = try await VaultStore.open(runtime.database)
            try await vault.checkKeyRing(covers: store)
            sender = OutboxSender(
                database: runtime.database, clients: [RecordsAPI.service: try runtime.client(url: vault.recordsURL)], logger: runtime.logger)
            handlers = VaultHandlers(
                store: store, ring: vault.keyRing, receiptSigner: vault.receiptSigner,
                grantVerifier: await GrantVerifier(issuerKeys: vault.grantIssuerKeys, issuerRoles: vault.grantIssuerRoles, maxLifetimeSeconds: vault.grantMaxSeconds),
                clock: runtime.clock, outbox: sender)
            runtime.logger.info("vault ready", metadata: [
                "kek_version": .stringConvertible(vault.keyRing.current), "receipt_key_id": .string(vault.receiptSigner.keyID),
                "grant_issuers": .string(vault.grantIssuerKeys.keys.sorted().joined(separator: ",")),
            ])
        } catch {
            try? await runtime.database.close()
            throw error
        }
        // A keyed Deposit's digest must not let anyone holding the database confirm a guess
        // of its content: keyed with a secret that lives outside the database.
        try await runtime.run(router: handlers.router, services: [sender], requestDigestKey: requestDigestKey)
    }
}
