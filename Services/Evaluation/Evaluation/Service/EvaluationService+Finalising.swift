import Logging
public import Messages
import Metrics
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// An officer finalises: once every application is ready (every assigned evaluator who is
    /// not recused is done, at least two are, and a consensus is recorded wherever needed —
    /// ``ApplicationPanel/isReady(_:spreadHundredths:)``), the ``ScoringEngine`` computes totals,
    /// ranking, tie-breaks, the shortlist and the reasons; the result is stored and
    /// `scores.finalised` (with every done sheet's digest and any draw seed) and
    /// `shortlist.decided` (with every reason) are recorded in the same transaction. From then
    /// on nothing changes; finalising again returns the stored result and records nothing.
    ///
    /// An unfinished sheet never holds the result back silently nor is dropped by it: the
    /// evaluator finishes it, declares a conflict, or an officer removes them first.
    /// - Throws: `failed_precondition` naming the first application that is not ready and why.
    public func finalize(_ request: FinalizeRequest, by caller: Caller) async throws -> EvaluationResult {
        var generator = SystemRandomNumberGenerator()
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let (result, finalisedNow) = try await changing { tx -> (EvaluationResult, Bool) in
            let row = try await self.evaluation(request.challenge, forUpdate: true, on: tx)
            if row.isFinalised { return (try Self.storedResult(row), false) }
            let applications = try await self.store.applications(row.challenge, on: tx)
            let panels = try await self.store.panels(row.challenge, on: tx)
            let scored = row.scoredCriteria
            var candidates: [ScoringInput.Candidate] = []
            for application in applications {
                let panel = panels[application.application] ?? ApplicationPanel(seats: [], consensus: [:])
                if let why = panel.whyNotReady(scored, spreadHundredths: row.consensusSpreadHundredths) {
                    throw RPCError(.failedPrecondition, "application \(application.application) is not ready: \(why)")
                }
                candidates.append(ScoringInput.Candidate(
                    application: application.application, companyName: application.companyName, price: application.price,
                    receivedAt: application.receivedAt,
                    sheets: panel.doneSeats.map { seat in ScoringInput.Sheet(evaluator: seat.evaluator, points: scored.map { seat.points[$0] ?? 0 }) },
                    consensus: scored.map { panel.consensus[$0] }, hasRecusal: panel.hasRecusal))
            }
            let now = self.clock.now()
            let result = ScoringEngine.finalise(ScoringInput(terms: row.terms, applications: candidates), challenge: row.challenge, at: now, drawSeed: seed)
            try await self.store.markFinalised(row.challenge, result: result, on: tx)
            let digests = try await self.store.sheets(row.challenge, onlyDone: true, on: tx).map {
                ScoresFinalised.SheetDigest(application: $0.application, evaluator: $0.evaluator, digest: $0.digest)
            }
            let finalised = ScoresFinalised(
                method: .init(priceFormula: row.terms.priceFormula, normalisation: row.terms.normalisation, tieBreak: row.terms.tieBreak),
                results: result.ranking.map { ranked in
                    ScoresFinalised.ApplicationResult(
                        application: ranked.application,
                        scores: row.terms.criteria.map { ScoresFinalised.CriterionScore(criterion: $0.id, hundredths: ranked.points[$0.id] ?? 0) },
                        totalHundredths: ranked.totalHundredths, rank: ranked.rank)
                },
                ranking: result.ranking.map(\.application), sheets: digests, drawSeed: result.drawSeed)
            try await self.emit(.scoresFinalised(finalised), challenge: row.challenge, by: caller, at: now, on: tx)
            let shortlist = ShortlistDecided(
                places: row.terms.places, shortlisted: result.shortlist,
                notChosen: result.ranking.filter { !$0.shortlisted }.map { ShortlistDecided.NotChosen(application: $0.application, reason: $0.reason ?? "") })
            try await self.emit(.shortlistDecided(shortlist), challenge: row.challenge, by: caller, at: now, on: tx)
            return (result, true)
        }
        if finalisedNow {
            Counter(label: "evaluation_finalised_total").increment()
            log.notice("evaluation finalised", metadata: [
                "challenge": .string(request.challenge.rawValue), "by": .string(caller.subject),
                "applications": .stringConvertible(result.ranking.count), "shortlist": .string(result.shortlist.map { $0.rawValue }.joined(separator: ",")),
            ])
        }
        return result
    }

    static func storedResult(_ row: EvaluationStore.EvaluationRow) throws(RPCError) -> EvaluationResult {
        guard let result = row.result else { throw RPCError(.dataLoss, "finalised evaluation \(row.challenge) has no stored result") }
        return result
    }

    /// The result, once finalised (officers, auditors; services — Negotiation opens its
    /// dialogues from the shortlist). Before that, `failed_precondition` to every caller.
    public func getResult(_ request: GetResultRequest, by caller: Caller) async throws -> EvaluationResult {
        let row = try await evaluation(request.challenge, on: database.sql)
        guard row.isFinalised else { throw RPCError(.failedPrecondition, "the evaluation of \(request.challenge) is not finalised yet") }
        return try Self.storedResult(row)
    }

    /// A startup's own feedback, once finalised: per criterion the points that counted, its
    /// evaluators' reasons without their names (ordered by their text, ``FeedbackReasons``, so
    /// no reason can be matched to an evaluator of the public panel), the consensus reason;
    /// its total, rank, whether it was shortlisted and why not; and of other startups only
    /// the shortlist's names.
    /// - Throws: `not_found` when the caller's organisation has no application in the
    ///   evaluation; `failed_precondition` before finalising.
    public func getFeedback(_ request: GetFeedbackRequest, by caller: Caller) async throws -> Feedback {
        let org = try caller.requireOrganisation()
        let db = database.sql
        let row = try await evaluation(request.challenge, on: db)
        guard let own = try await store.application(row.challenge, org: org, on: db) else {
            throw RPCError(.notFound, "organisation \(org) has no application in the evaluation of \(request.challenge)")
        }
        guard row.isFinalised else { throw RPCError(.failedPrecondition, "feedback is given once the evaluation is finalised") }
        let result = try Self.storedResult(row)
        guard let ranked = result.ranking.first(where: { $0.application == own.application }) else {
            throw RPCError(.dataLoss, "application \(own.application) is missing from the stored result")
        }
        let sheets = try await store.sheets(row.challenge, application: own.application, onlyDone: true, on: db)
        let consensus = try await store.consensus(row.challenge, application: own.application, on: db)
        let criteria = row.terms.criteria.map { criterion in
            CriterionFeedback(
                criterion: criterion.id, name: criterion.name, weight: criterion.weight, hundredths: ranked.points[criterion.id] ?? 0,
                reasons: criterion.isPrice ? [] : FeedbackReasons.ordered(sheets.compactMap { sheet in sheet.scores.first { $0.criterion == criterion.id }?.reason }),
                consensusReason: consensus.first { $0.criterion == criterion.id }?.reason)
        }
        return Feedback(
            challenge: row.challenge, application: own.application, criteria: criteria, totalHundredths: ranked.totalHundredths,
            rank: ranked.rank, applications: result.ranking.count, shortlisted: ranked.shortlisted, reason: ranked.reason,
            shortlist: result.ranking.filter(\.shortlisted).map(\.companyName))
    }
}
