import Logging
public import Messages
import Metrics
public import RPC
import ServiceKit
import SQLKit

extension EvaluationService {
    /// The purpose every grant from Evaluation names; the Vault records it with each read.
    public static let grantPurpose = "evaluation"

    /// A Vault access grant for one application's confidential part (DESIGN.md §4): only to an
    /// evaluator assigned to it who declared impartiality, and only until the evaluation is
    /// finalised. Signed with Evaluation's grant key (issuer `evaluation`), naming the caller
    /// as subject in the role `evaluator`, the application's Vault ref and the purpose
    /// `evaluation`, valid for the configured seconds from now by the legal clock.
    ///
    /// The grant's id is kept (`eval_grants`) and logged; the token itself never is — neither
    /// here nor by the dispatcher: the method is `idempotent` in the contract, so an
    /// `idempotency-key` is ignored, no answer is stored for replay, and every call checks
    /// afresh (after finalising, after a recusal or a removal) and issues a new grant.
    /// - Throws: `permission_denied` to an evaluator not assigned, removed, recused, or not
    ///   yet declared; `failed_precondition` once finalised.
    public func requestAccess(_ request: RequestAccessRequest, by caller: Caller) async throws -> AccessGrant {
        let grant = try await database.transaction { tx -> AccessGrant in
            let row = try await self.openForChange(request.challenge, on: tx)
            let application = try await self.application(row.challenge, request.application, on: tx)
            _ = try await self.impartialSeat(of: caller, row.challenge, application.application, on: tx)
            let now = self.clock.now()
            let id = GrantID()
            let token = try await self.grantIssuer.grant(
                subject: caller.subject, role: .evaluator, ref: application.vaultRef, purpose: Self.grantPurpose, id: id,
                validFor: .seconds(self.policy.grantSeconds), now: now.date)
            let grant = AccessGrant(
                grant: token, grantID: id, ref: application.vaultRef, purpose: Self.grantPurpose,
                expiresAt: now.adding(milliseconds: Int64(self.policy.grantSeconds) * 1000))
            try await self.store.insertGrant(grant, challenge: row.challenge, application: application.application, evaluator: caller.subject, issuedAt: now, on: tx)
            return grant
        }
        Counter(label: "evaluation_grants_issued_total").increment()
        log.info("access granted", metadata: [
            "challenge": .string(request.challenge.rawValue), "application": .string(request.application.rawValue),
            "evaluator": .string(caller.subject), "grant_id": .string(grant.grantID.rawValue), "expires_at": .string(grant.expiresAt.iso8601),
        ])
        return grant
    }
}
