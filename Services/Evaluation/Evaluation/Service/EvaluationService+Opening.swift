import Logging
public import Messages
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// An officer opens the evaluation of a challenge whose intake has closed: its frozen
    /// terms and its standing applications (not withdrawn; the price is the requested budget)
    /// are copied from Intake, so the evaluation applies exactly what was published and does
    /// not depend on Intake afterwards. Opening again returns the evaluation as it stands.
    ///
    /// - Throws: `failed_precondition` while intake is open; `not_found` when Intake has no
    ///   such challenge; `unavailable` when Intake cannot be reached.
    public func openEvaluation(_ request: OpenEvaluationRequest, by caller: Caller) async throws -> Evaluation {
        if let existing = try await store.evaluation(request.challenge, on: database.sql) {
            return existing.evaluation(applications: try await store.applications(request.challenge, on: database.sql))
        }
        let challenge = try await intake.challenge(request.challenge)
        guard challenge.status == .closed else {
            throw RPCError(.failedPrecondition, "intake is still open for challenge \(request.challenge): evaluation starts once it has closed")
        }
        let applications = try await intake.applications(of: challenge.id).filter { $0.status == .received }.map { application in
            EvaluatedApplication(
                application: application.id, orgNumber: application.orgNumber, companyName: application.publicPart.companyName,
                price: application.publicPart.requestedBudget, vaultRef: application.vaultRef, receivedAt: application.receivedAt)
        }
        let terms = challenge.terms
        let spread = policy.consensusSpreadPoints * 100
        let (evaluation, openedNow) = try await database.transaction { tx -> (Evaluation, Bool) in
            let opened = Evaluation(
                challenge: challenge.id, status: .open,
                terms: EvaluationTerms(
                    criteria: terms.criteria, scale: terms.scale, priceFormula: terms.priceFormula, normalisation: terms.normalisation,
                    tieBreak: terms.tieBreak, places: terms.places),
                applications: applications, consensusSpreadHundredths: spread, openedAt: self.clock.now(), finalisedAt: nil)
            if try await self.store.insertEvaluation(opened, openedBy: caller.subject, on: tx) { return (opened, true) }
            // A concurrent opening won: return what it stored.
            let existing = try await self.evaluation(challenge.id, on: tx)
            return (existing.evaluation(applications: try await self.store.applications(challenge.id, on: tx)), false)
        }
        if openedNow {
            log.info("evaluation opened", metadata: [
                "challenge": .string(challenge.id.rawValue), "by": .string(caller.subject), "applications": .stringConvertible(applications.count),
            ])
        }
        return evaluation
    }

    /// The evaluation: terms, applications and status — to officers, auditors, services
    /// (Negotiation reads the shortlisted applications' organisations and Vault refs), and
    /// evaluators assigned to at least one of its applications.
    /// - Throws: `not_found` without an evaluation; `permission_denied` to an evaluator not on
    ///   its panel.
    public func getEvaluation(_ request: GetEvaluationRequest, by caller: Caller) async throws -> Evaluation {
        let db = database.sql
        let row = try await evaluation(request.challenge, on: db)
        try await requirePanelMember(caller, row.challenge, on: db)
        return row.evaluation(applications: try await store.applications(row.challenge, on: db))
    }
}
