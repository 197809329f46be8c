import Logging
public import Messages
import Metrics
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// A Vault access grant for one ref of one dialogue (DESIGN.md §4) — its application, a
    /// message, minutes, an offer or a pilot report — to a participant of that dialogue: its
    /// startup, an assigned negotiator, an officer. Signed with Negotiation's grant key (issuer
    /// `negotiation`), naming the caller as subject in the role they act in, the ref and the
    /// purpose `negotiation`, valid for the configured seconds from now by the legal clock.
    ///
    /// The grant's id is kept (`neg_grants`) and logged; the token itself never is — neither
    /// here nor by the dispatcher: the method is `idempotent`, so no answer is stored for
    /// replay and every call checks afresh and issues a new grant.
    /// - Throws: `not_found` for a ref that is not this dialogue's (and to a startup for
    ///   another's dialogue); `permission_denied` to a negotiator not assigned.
    public func requestAccess(_ request: DialogueAccessRequest, by caller: Caller) async throws -> AccessGrant {
        let grant = try await database.transaction { tx -> AccessGrant in
            let row = try await self.visibleDialogue(request.dialogue, to: caller, on: tx)
            guard try await self.store.holds(request.ref, dialogue: row.dialogue, on: tx) else {
                throw RPCError(.notFound, "ref \(request.ref) is not part of dialogue \(row.dialogue)")
            }
            let now = self.clock.now()
            let id = GrantID()
            let token = try await self.grantIssuer.grant(
                subject: caller.subject, role: caller.role, ref: request.ref, purpose: NegotiationAPI.grantPurpose, id: id,
                validFor: .seconds(self.policy.grantSeconds), now: now.date)
            let grant = AccessGrant(
                grant: token, grantID: id, ref: request.ref, purpose: NegotiationAPI.grantPurpose,
                expiresAt: now.adding(milliseconds: Int64(self.policy.grantSeconds) * 1000))
            try await self.store.insertGrant(grant, dialogue: row.dialogue, reader: caller.actor, issuedAt: now, on: tx)
            return grant
        }
        Counter(label: "negotiation_grants_issued_total").increment()
        log.info("access granted", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "ref": .string(request.ref.rawValue), "subject": .string(caller.subject),
            "role": .string(caller.role.rawValue), "grant_id": .string(grant.grantID.rawValue), "expires_at": .string(grant.expiresAt.iso8601),
        ])
        return grant
    }
}
