import Logging
public import Messages
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// An impartial evaluator's score sheet for one application: a score and a reason for
    /// every scored criterion. Each submission replaces the sheet (revision + 1) until one
    /// marks it `done`; a done sheet is locked. Nothing is recorded yet: the digest of every
    /// done sheet goes into `scores.finalised`.
    public func submitScores(_ request: SubmitScoresRequest, by caller: Caller) async throws -> ScoreSheet {
        let sheet = try await database.transaction { tx -> ScoreSheet in
            let row = try await self.openForChange(request.challenge, on: tx)
            let application = try await self.application(row.challenge, request.application, on: tx)
            _ = try await self.impartialSeat(of: caller, row.challenge, application.application, on: tx)
            let scores = try ScoreSheetRules.check(request.scores, terms: row.terms)
            let previous = try await self.store.sheets(row.challenge, application: application.application, evaluator: caller.subject, on: tx).first
            if previous?.done == true {
                throw RPCError(.failedPrecondition, "the sheet for application \(application.application) is done and cannot change")
            }
            let sheet = ScoreSheet(
                challenge: row.challenge, application: application.application, evaluator: caller.subject, scores: scores,
                done: request.done, revision: (previous?.revision ?? 0) + 1, updatedAt: self.clock.now(),
                digest: try ScoreSheetRules.digest(application: application.application, evaluator: caller.subject, scores: scores))
            try await self.store.saveSheet(sheet, on: tx)
            return sheet
        }
        log.info("scores submitted", metadata: [
            "challenge": .string(request.challenge.rawValue), "application": .string(request.application.rawValue),
            "evaluator": .string(caller.subject), "revision": .stringConvertible(sheet.revision), "done": .stringConvertible(sheet.done),
        ])
        return sheet
    }

    /// The caller's own sheets — never anyone else's.
    public func getMyScores(_ request: GetMyScoresRequest, by caller: Caller) async throws -> GetMyScoresResponse {
        let row = try await evaluation(request.challenge, on: database.sql)
        return GetMyScoresResponse(sheets: try await store.sheets(row.challenge, application: request.application, evaluator: caller.subject, on: database.sql))
    }

    /// Every done sheet of one application, with the criteria needing consensus and the
    /// consensus recorded.
    ///
    /// Who: an evaluator assigned to the application (not removed) who declared impartiality
    /// for it, before and after finalising; officers; auditors once finalised. Any other
    /// evaluator — not assigned, removed, recused, or never declared — never
    /// (`permission_denied`).
    ///
    /// Blind scoring: refused (`failed_precondition`) until every assigned evaluator of the
    /// application who is not recused is done — after finalising the sheets are final and the
    /// rule has done its work.
    public func getApplicationScores(_ request: GetApplicationScoresRequest, by caller: Caller) async throws -> ApplicationScores {
        let db = database.sql
        let row = try await self.evaluation(request.challenge, on: db)
        let application = try await self.application(row.challenge, request.application, on: db)
        let panel = try await self.store.panels(row.challenge, application: application.application, on: db)[application.application]
            ?? ApplicationPanel(seats: [], consensus: [:])
        switch caller.role {
        case .evaluator:
            guard panel.seat(of: caller.subject)?.declaration == .impartial else {
                throw RPCError(.permissionDenied, "only the evaluators of application \(application.application) who declared impartiality read its scores")
            }
        case .auditor:
            guard row.isFinalised else { throw RPCError(.failedPrecondition, "auditors read scores once the evaluation is finalised") }
        default:
            break
        }
        guard row.isFinalised || panel.blindLifted else {
            throw RPCError(.failedPrecondition, "application \(application.application) is blind until all its evaluators are done")
        }
        return ApplicationScores(
            application: application.application,
            sheets: try await self.store.sheets(row.challenge, application: application.application, onlyDone: true, on: db),
            needingConsensus: panel.needingConsensus(row.scoredCriteria, spreadHundredths: row.consensusSpreadHundredths),
            consensus: try await self.store.consensus(row.challenge, application: application.application, on: db))
    }
}
