import Foundation
public import Messages

/// Finalises an evaluation by the published method (DESIGN.md §5): a pure function of the
/// terms, the done score sheets, the consensus recorded and (for a draw of lots) a seed —
/// no clock, no I/O — so every figure in a result can be recomputed from the record.
///
/// 1. Per scored criterion: the consensus where one was recorded, else the mean of the done
///    evaluators' points ×100, rounded half up to a whole hundredth.
/// 2. Price, if a criterion is price: ``PriceScore`` against the lowest price evaluated.
/// 3. ``Normalisation``, only when the terms say so.
/// 4. The weighted total `Σ weight × hundredths / 100`, exact, rounded half up once.
/// 5. Ranking by total, ties ordered by the published rule (``TieBreaking``); the top
///    `places` are shortlisted and every other application gets a reason from the numbers.
/// 6. Inter-rater agreement (``AgreementReport``).
public enum ScoringEngine {
    /// The result; `drawSeed` orders tied applications under `draw_of_lots` and is recorded
    /// in the result only when it decided a tie.
    public static func finalise(_ input: ScoringInput, challenge: ChallengeID, at time: Timestamp, drawSeed: [UInt8]) -> EvaluationResult {
        let terms = input.terms
        let applications = input.applications
        let columns = pointColumns(input)
        var totals = [Int](repeating: 0, count: applications.count)
        for index in applications.indices {
            var sum: Int128 = 0
            for (criterion, column) in zip(terms.criteria, columns) { sum += Int128(criterion.weight) * Int128(column[index]) }
            totals[index] = Int(Hundredths.divideRoundingHalfUp(sum, by: 100))
        }
        let tieCriterion = terms.tieBreak.criterion.flatMap { id in terms.criteria.firstIndex { $0.id == id } }
        let ordering = TieBreaking.rank(
            totals: totals, rule: terms.tieBreak, criterionPoints: tieCriterion.map { columns[$0] },
            criterionName: tieCriterion.map { terms.criteria[$0].name }, applications: applications, seed: drawSeed)
        let places = min(terms.places, applications.count)
        let lowestShortlisted = places > 0 ? totals[ordering.order[places - 1]] : nil
        var ranking: [RankedApplication] = []
        ranking.reserveCapacity(applications.count)
        for (position, index) in ordering.order.enumerated() {
            let rank = position + 1
            var points: [String: Int] = [:]
            for (criterion, column) in zip(terms.criteria, columns) { points[criterion.id] = column[index] }
            let shortlisted = position < places
            let reason = shortlisted ? nil : ShortlistReason.notChosen(
                rank: rank, of: applications.count, total: totals[index], lowestShortlisted: lowestShortlisted, places: places,
                decidedByTieBreak: totals[index] == lowestShortlisted ? ordering.rulePhrase : nil)
            ranking.append(RankedApplication(
                application: applications[index].application, companyName: applications[index].companyName, rank: rank,
                points: points, totalHundredths: totals[index], shortlisted: shortlisted, reason: reason, tieBreak: ordering.notes[index]))
        }
        let agreement = AgreementReport.make(input)
        return EvaluationResult(
            challenge: challenge, terms: terms, ranking: ranking, shortlist: ranking.prefix(places).map(\.application),
            agreement: agreement.agreement, disagreements: agreement.disagreements,
            drawSeed: ordering.seedDecided ? Data(drawSeed).base64EncodedString() : nil, finalisedAt: time)
    }

    /// The hundredths that count, per criterion of the terms (outer) and application (inner).
    static func pointColumns(_ input: ScoringInput) -> [[Int]] {
        let terms = input.terms
        let applications = input.applications
        let lowest = applications.map(\.price).min()
        var scoredIndex = 0
        var columns: [[Int]] = []
        for criterion in terms.criteria {
            var column: [Int]
            if criterion.isPrice {
                column = applications.map { candidate in
                    lowest.flatMap { PriceScore.hundredths(formula: terms.priceFormula, price: candidate.price, lowest: $0, scaleMax: terms.scale.max) } ?? 0
                }
            } else {
                let k = scoredIndex
                column = applications.map { candidate in
                    if k < candidate.consensus.count, let agreed = candidate.consensus[k] { return agreed }
                    var sum = 0
                    for sheet in candidate.sheets { sum += sheet.points[k] }
                    return mean(sum: sum, count: candidate.sheets.count)
                }
                scoredIndex += 1
            }
            if terms.normalisation { column = Normalisation.normalise(column, scaleMax: terms.scale.max) }
            columns.append(column)
        }
        return columns
    }

    /// The mean of whole points, in hundredths rounded half up (0 for no points).
    static func mean(_ points: [Int]) -> Int { mean(sum: points.reduce(0, +), count: points.count) }

    static func mean(sum: Int, count: Int) -> Int {
        guard count > 0 else { return 0 }
        return Int(Hundredths.divideRoundingHalfUp(Int128(sum) * 100, by: Int128(count)))
    }
}
