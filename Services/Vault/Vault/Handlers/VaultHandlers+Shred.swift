import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit

extension VaultHandlers {
    /// Crypto-shredding: deletes the data key of (owner, challenge), so every deposit under it
    /// is unreadable from now on, and records the fact — one transaction. Repeating it
    /// returns the first shred's facts and sends no second event.
    func shred(_ request: ShredRequest, context: CallContext) async throws -> ShredResponse {
        let principal = try context.requirePrincipal()
        let owner = try Self.owner(named: request.owner, by: principal, privileged: .officer)
        guard (1...500).contains(request.reason.count), !request.reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RPCError.invalidField("reason", "must be 1 to 500 characters, without control characters")
        }
        // Acting as an officer when naming another startup's data, else as the startup itself.
        let role: Role = principal.has(.officer) && !(principal.has(.startup) && principal.organisation == owner) ? .officer : .startup
        let actor = Actor(subject: principal.subject, role: role)
        let now = clock.now()
        let store = store
        let (shred, isNew) = try await store.database.transaction { tx in
            try await store.lock(owner: owner, on: tx)
            if let done = try await store.shred(owner: owner, challenge: request.challenge, on: tx) { return (done, false) }
            // Nothing deposited, nothing to shred: a shred in advance would lock the startup out
            // of the challenge before it ever deposited.
            guard try await store.dataKey(owner: owner, challenge: request.challenge, on: tx) != nil else {
                throw RPCError(.notFound, "nothing is deposited for \(owner) in challenge \(request.challenge)")
            }
            try await store.destroyDataKey(owner: owner, challenge: request.challenge, at: now, on: tx)
            var salt = SystemRandomNumberGenerator()
            let shred = VaultStore.ShredRow(
                owner: owner, challenge: request.challenge, shreddedAt: now,
                refs: try await store.depositCount(owner: owner, challenge: request.challenge, on: tx),
                reason: request.reason, actor: actor, eventID: EventID(),
                ownerSalt: (0..<32).map { _ in UInt8.random(in: 0...255, using: &salt) })
            try await store.insert(shred, on: tx)
            // Recorded by the Vault with the owner sealed: the caller's subject (a startup's)
            // could name it, and who applied is sealed until the deadline.
            let event = ProcurementEvent(
                id: shred.eventID, challenge: request.challenge, actor: Actor(subject: "vault", role: .service), time: now,
                payload: .confidentialDataShredded(ConfidentialDataShredded(
                    owner: ConfidentialDataShredded.sealOwner(owner, salt: shred.ownerSalt), refs: shred.refs,
                    reason: request.reason, requestedBy: actor.role)))
            try await Outbox.record(event, on: tx)
            return (shred, true)
        }
        if isNew {
            do {
                try await store.truncateWriteAheadLog()
            } catch {
                // The shred is committed; the old key bytes stay in the log's free frames only
                // until SQLite's next checkpoint overwrites them.
                context.logger.warning("shred: could not truncate the write-ahead log", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
            }
            outbox?.wake()
            context.logger.notice("shredded", metadata: [
                "owner": .string(owner.rawValue), "challenge": .string(request.challenge.rawValue),
                "refs": .stringConvertible(shred.refs), "event_id": .string(shred.eventID.rawValue),
            ])
        }
        return ShredResponse(refs: shred.refs, shreddedAt: shred.shreddedAt, ownerSalt: Data(shred.ownerSalt).base64EncodedString())
    }
}
