import Logging
public import Messages
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// Who has declared, been recused or is done with what, and whether each application is
    /// ready to finalise. No scores. A removed evaluator is no longer listed.
    /// - Throws: `not_found` without an evaluation; `permission_denied` to an evaluator not on
    ///   its panel.
    public func getProgress(_ request: GetProgressRequest, by caller: Caller) async throws -> Progress {
        let db = database.sql
        let row = try await self.evaluation(request.challenge, on: db)
        try await requirePanelMember(caller, row.challenge, on: db)
        let panels = try await self.store.panels(row.challenge, on: db)
        return Progress(challenge: row.challenge, applications: try await self.store.applications(row.challenge, on: db).map { application in
            let panel = panels[application.application] ?? ApplicationPanel(seats: [], consensus: [:])
            return ApplicationProgress(
                application: application.application,
                evaluators: Dictionary(panel.seats.map { ($0.evaluator, $0.state) }, uniquingKeysWith: { first, _ in first }),
                ready: panel.isReady(row.scoredCriteria, spreadHundredths: row.consensusSpreadHundredths))
        })
    }

    /// An officer records the agreed score for one criterion of one application where its
    /// evaluators differ by more than the spread — only once all of them are done, so the
    /// officer sees every score first. Recording again replaces it, until finalising.
    /// - Throws: `failed_precondition` while the application is blind, or when the criterion
    ///   needs no consensus ("the mean stands"); `invalid_argument` for a score off the scale
    ///   or a missing reason.
    public func recordConsensus(_ request: RecordConsensusRequest, by caller: Caller) async throws -> Consensus {
        try TextRule.check(request.reason, "reason", length: 1...2000)
        let consensus = try await changing { tx -> Consensus in
            let row = try await self.openForChange(request.challenge, on: tx)
            let application = try await self.application(row.challenge, request.application, on: tx)
            guard row.scoredCriteria.contains(request.criterion) else {
                throw RPCError.invalidField("criterion", "is not a scored criterion of this challenge")
            }
            let scale = row.terms.scale
            guard (scale.min * 100...scale.max * 100).contains(request.hundredths) else {
                throw RPCError.invalidField("hundredths", "must be on the scale: \(scale.min * 100) to \(scale.max * 100) hundredths")
            }
            let panel = try await self.store.panels(row.challenge, application: application.application, on: tx)[application.application]
                ?? ApplicationPanel(seats: [], consensus: [:])
            guard panel.blindLifted, !panel.doneSeats.isEmpty else {
                throw RPCError(.failedPrecondition, "consensus on application \(application.application) waits until all its evaluators are done")
            }
            guard panel.needingConsensus([request.criterion], spreadHundredths: row.consensusSpreadHundredths) == [request.criterion] else {
                throw RPCError(.failedPrecondition, "the evaluators of application \(application.application) differ by no more than the spread on \(request.criterion): the mean stands")
            }
            let now = self.clock.now()
            let consensus = Consensus(
                application: application.application, criterion: request.criterion, hundredths: request.hundredths, reason: request.reason,
                recordedBy: caller.subject, recordedAt: now)
            try await self.store.saveConsensus(consensus, challenge: row.challenge, on: tx)
            let event = ConsensusRecorded(application: application.application, criterion: request.criterion, hundredths: request.hundredths, reason: request.reason)
            try await self.emit(.consensusRecorded(event), challenge: row.challenge, by: caller, at: now, on: tx)
            return consensus
        }
        log.info("consensus recorded", metadata: [
            "challenge": .string(request.challenge.rawValue), "application": .string(request.application.rawValue),
            "criterion": .string(request.criterion), "by": .string(caller.subject),
        ])
        return consensus
    }
}
