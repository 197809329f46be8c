import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// The dialogue's startup submits the next version of its offer, deposited in the Vault by
    /// the startup itself (field `offer`). `offer.received` records the version, the ref and
    /// the digest of the salted commitment — never the offer.
    /// - Throws: `failed_precondition` unless the dialogue is negotiating; `already_exists`
    ///   when the ref is in use.
    public func submitOffer(_ request: SubmitOfferRequest, by caller: Caller) async throws -> Offer {
        let offer = try await changing { tx -> Offer in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "submit an offer")
            try self.verify(request.offer, field: NegotiationAPI.Field.offer, for: row, by: caller, path: "offer")
            let now = self.clock.now()
            try await self.add(request.offer, as: .offer, to: row, at: now, path: "offer", on: tx)
            let offer = Offer(
                version: try await self.store.nextNumber(in: "neg_offers", column: "dialogue_id", key: row.dialogue.rawValue, numberColumn: "version", on: tx),
                ref: request.offer.ref, commitment: request.offer.commitment.digest, submittedAt: now, countsFor: [])
            try await self.store.insertOffer(offer, dialogue: row.dialogue, on: tx)
            let received = OfferReceived(dialogue: row.dialogue, version: offer.version, commitment: offer.commitment, vaultRef: offer.ref)
            try await self.emit(.offerReceived(received), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return offer
        }
        log.info("offer received", metadata: ["dialogue": .string(request.dialogue.rawValue), "version": .stringConvertible(offer.version)])
        return offer
    }
}
