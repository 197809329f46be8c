import Crypto
import Foundation
import Logging
import Messages
public import RPC
public import ServiceKit

/// The methods of `tender.vault.v1.VaultService` (DESIGN.md §4), testable without a process:
/// give it a store, the key ring, the receipt key, the grant verifier and a clock, and serve
/// its ``router`` through any transport.
///
/// Nothing confidential reaches a log line, an error message or a metric label: not the
/// content, nor (to be safe) a deposit's field or media type.
public struct VaultHandlers: Sendable {
    let store: VaultStore
    let ring: KeyRing
    let receiptSigner: ReceiptSigner
    let grantVerifier: GrantVerifier
    let clock: any WallClock
    /// Woken after a commit that enqueued events; nil in tests that drain it by hand.
    let outbox: OutboxSender?

    public init(store: VaultStore, ring: KeyRing, receiptSigner: ReceiptSigner, grantVerifier: GrantVerifier, clock: any WallClock, outbox: OutboxSender?) {
        self.store = store
        self.ring = ring
        self.receiptSigner = receiptSigner
        self.grantVerifier = grantVerifier
        self.clock = clock
        self.outbox = outbox
    }

    public var router: RPCRouter {
        var router = RPCRouter()
        router.register(VaultAPI.deposit) { request, context in try await deposit(request, context: context) }
        router.register(VaultAPI.open) { request, context in try await open(request, context: context) }
        router.register(VaultAPI.listAccesses) { request, context in try await listAccesses(request, context: context) }
        router.register(VaultAPI.shred) { request, context in try await shred(request, context: context) }
        router.register(VaultAPI.rewrap) { _, context in try await rewrap(context: context) }
        router.register(VaultAPI.getReceiptKey) { _, _ in receiptSigner.receiptKey }
        return router
    }

    /// The data key inside `wrapped`, or the error a caller may see (no key bytes, no content).
    func unwrap(_ wrapped: WrappedDataKey, logger: Logger) throws(RPCError) -> SymmetricKey {
        do {
            return try Envelope.unwrap(wrapped, ring: ring)
        } catch .unknownKeyVersion(let version) {
            logger.error("a data key is wrapped with a key-encryption key the ring lacks", metadata: ["kek_version": .stringConvertible(version)])
            throw RPCError(.internal, "the key ring lacks key version \(version)")
        } catch {
            logger.error("a stored data key does not unwrap", metadata: ["owner": .string(wrapped.owner.rawValue), "error": .string(error.description)])
            throw RPCError(.dataLoss, "a stored data key does not unwrap")
        }
    }
}
