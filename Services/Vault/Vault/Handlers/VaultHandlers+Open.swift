import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit

extension VaultHandlers {
    /// Opens content under an access grant. Fails closed (DESIGN.md §4): the access row and
    /// its `confidential_data.accessed` event are committed in one transaction before the
    /// plaintext is returned, and if that commit fails nothing is returned. A reader acting as
    /// a startup opens only its own organisation's content; any other deposit is
    /// `permission_denied`, and nothing is recorded.
    func open(_ request: OpenRequest, context: CallContext) async throws -> OpenResponse {
        let principal = try context.requirePrincipal()
        let logger = context.logger
        // A keyed call's response would be stored by the idempotency layer: plaintext at rest,
        // and replayable without an access record.
        guard context.idempotencyKey == nil else {
            throw RPCError.invalidField("idempotency-key", "Open returns confidential content and takes no idempotency-key")
        }
        let now = clock.now()
        let grant: VerifiedGrant
        do {
            grant = try await grantVerifier.verify(request.grant, ref: request.ref, caller: principal, now: now)
        } catch {
            VaultMetrics.opened(.denied)
            logger.notice("open refused", metadata: ["ref": .string(request.ref.rawValue), "reason": .string(error.reason)])
            throw error.rpcError
        }
        let eventID = EventID()
        let store = store
        let opened: (deposit: VaultStore.DepositRow, plaintext: Data)
        do {
            opened = try await store.database.transaction { tx in
                guard let deposit = try await store.deposit(request.ref, on: tx) else {
                    throw OpenFailure.notFound
                }
                // Before the key is touched or anything recorded: a startup reads only its own.
                do throws(GrantRefusal) {
                    try GrantRules.checkOwner(grant, owner: deposit.owner, caller: principal)
                } catch {
                    throw OpenFailure.refused(error)
                }
                guard let row = try await store.dataKey(owner: deposit.owner, challenge: deposit.challenge, lock: .share, on: tx) else {
                    throw OpenFailure.dataLoss("no data key for the deposit")
                }
                guard let wrapped = row.wrappedKey else { throw OpenFailure.shredded }
                guard row.dataKeyVersion == deposit.dataKeyVersion else { throw OpenFailure.dataLoss("the deposit names another data key version") }
                let key = try self.unwrap(wrapped, logger: logger)
                let plaintext: Data
                do {
                    plaintext = try Envelope.open(deposit.ciphertext, with: key, binding: deposit.binding)
                } catch {
                    throw OpenFailure.dataLoss("the stored ciphertext does not open under its binding (tampered or moved)")
                }
                let access = AccessEntry(
                    access: eventID.rawValue, ref: deposit.ref, challenge: deposit.challenge, field: deposit.field,
                    reader: grant.reader, issuer: grant.issuer, purpose: grant.purpose, grant: grant.id, time: now)
                try await store.insert(access, owner: deposit.owner, on: tx)
                let event = ProcurementEvent(
                    id: eventID, challenge: deposit.challenge, actor: Actor(subject: "vault", role: .service), time: now,
                    payload: .confidentialDataAccessed(ConfidentialDataAccessed(
                        reader: grant.reader, owner: deposit.owner, ref: deposit.ref, purpose: grant.purpose, grant: grant.id)))
                try await Outbox.record(event, on: tx)
                return (deposit, plaintext)
            }
        } catch let failure as OpenFailure {
            switch failure {
            case .refused(let refusal):
                VaultMetrics.opened(.denied)
                logger.notice("open refused", metadata: ["ref": .string(request.ref.rawValue), "reason": .string(refusal.reason)])
                throw refusal.rpcError
            case .notFound:
                VaultMetrics.opened(.notFound)
                throw RPCError(.notFound, "no deposit \(request.ref)")
            case .shredded:
                VaultMetrics.opened(.shredded)
                throw RPCError(.failedPrecondition, "\(request.ref) was shredded and can no longer be read")
            case .dataLoss(let why):
                VaultMetrics.opened(.dataLoss)
                logger.error("stored data does not open", metadata: ["ref": .string(request.ref.rawValue), "why": .string(why)])
                throw RPCError(.dataLoss, "\(request.ref) cannot be read: the stored data fails its integrity check")
            }
        } catch let error as RPCError {
            VaultMetrics.opened(error.code == .dataLoss ? .dataLoss : .failed)
            throw error
        } catch {
            VaultMetrics.opened(.unavailable)
            logger.error("open: the access could not be recorded; nothing was returned", metadata: [
                "ref": .string(request.ref.rawValue), "error_type": .string(String(reflecting: type(of: error))),
            ])
            throw RPCError(.unavailable, "the read could not be recorded, so nothing was returned; retry later")
        }
        outbox?.wake()
        VaultMetrics.opened(.ok)
        logger.info("opened", metadata: [
            "ref": .string(request.ref.rawValue), "access": .string(eventID.rawValue),
            "issuer": .string(grant.issuer), "grant": .string(grant.id.rawValue),
        ])
        return OpenResponse(
            ref: opened.deposit.ref, owner: opened.deposit.owner, challenge: opened.deposit.challenge, field: opened.deposit.field,
            mediaType: opened.deposit.mediaType, content: opened.plaintext.base64EncodedString(),
            commitment: opened.deposit.commitment, access: eventID.rawValue)
    }
}

/// Why an `Open` stopped inside its transaction (mapped to the caller's error outside it).
enum OpenFailure: Error {
    /// The grant is valid but may not open this deposit (``GrantRules/checkOwner(_:owner:caller:)``).
    case refused(GrantRefusal)
    case notFound
    case shredded
    case dataLoss(String)
}
