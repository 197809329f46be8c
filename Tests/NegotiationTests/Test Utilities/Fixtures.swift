import Crypto
import Foundation
import Messages

/// Organisations, companies, times and the evaluation the tests share.
enum Fixtures {
    /// 2026-06-01T09:00:00Z: "now" when a test starts (the evaluation is finalised).
    static let start = Timestamp(iso8601: "2026-06-01T09:00:00.000Z")!
    static let challenge = ChallengeID("smart-waste")!

    /// Valid organisation numbers: 9 digits whose mod-11 check digit exists.
    static let organisations: [OrgNumber] = {
        var found: [OrgNumber] = []
        var prefix = 91_000_000
        while found.count < 8 {
            let digits = String(prefix).map { Int(String($0))! }
            if let check = OrgNumber.checkDigit(forFirstEight: digits) { found.append(OrgNumber(String(prefix) + String(check))!) }
            prefix += 1
        }
        return found
    }()

    static let companies = ["Fjordlys AS", "Bybris AS", "Snøfnugg AS", "Trikkeklar AS", "Kvistkraft AS", "Havblikk AS"]

    static func application(_ index: Int) -> ApplicationID { ApplicationID("app-\(index)")! }

    /// The evaluation of `count` applications (application `i` is organisation `i`).
    static func evaluation(_ challenge: ChallengeID = challenge, count: Int = 4, finalised: Bool = true) -> Evaluation {
        Evaluation(
            challenge: challenge, status: finalised ? .finalised : .open, terms: terms,
            applications: (0..<count).map { index in
                EvaluatedApplication(
                    application: application(index), orgNumber: organisations[index], companyName: companies[index], price: Money(kroner: 500_000),
                    vaultRef: .random(), receivedAt: start.adding(days: -30).adding(milliseconds: Int64(index) * 60_000))
            },
            consensusSpreadHundredths: 200, openedAt: start.adding(days: -20), finalisedAt: finalised ? start.adding(days: -1) : nil)
    }

    /// The result: application `i` ranks `ranks[i]`; the best `places` are shortlisted.
    static func result(_ challenge: ChallengeID = challenge, ranks: [Int] = [2, 1, 3, 4], places: Int = 3) -> EvaluationResult {
        let ranking = ranks.enumerated().sorted { $0.element < $1.element }.map { index, rank in
            RankedApplication(
                application: application(index), companyName: companies[index], rank: rank, points: [:], totalHundredths: 1000 - rank * 10,
                shortlisted: rank <= places, reason: rank <= places ? nil : "Ranked below the places.", tieBreak: nil)
        }
        return EvaluationResult(
            challenge: challenge, terms: terms, ranking: ranking, shortlist: ranking.filter(\.shortlisted).map(\.application), agreement: [],
            disagreements: [], drawSeed: nil, finalisedAt: start.adding(days: -1))
    }

    static let terms = EvaluationTerms(
        criteria: [Criterion(id: "quality", name: "Quality", weight: 100)], scale: ScoringScale(min: 0, max: 10), priceFormula: .none,
        normalisation: false, tieBreak: TieBreak(rule: .highestOnCriterion, criterion: "quality"), places: 3)

    /// A pilot with three metrics: two "at least", one "at most".
    static let metrics = [
        PilotMetric(name: "fill-rate", threshold: 800, unit: "‰", goal: .atLeast),
        PilotMetric(name: "trips-saved", threshold: 20, unit: "trips/week", goal: .atLeast),
        PilotMetric(name: "complaints", threshold: 5, unit: "complaints/month", goal: .atMost),
    ]
}
