import Crypto
@testable import Evaluation
import Foundation
import Messages
import Testing

/// The published method, checked against examples computed by hand.
@Suite("Scoring engine")
struct ScoringEngineTests {
    typealias Candidate = ScoringInput.Candidate

    /// Three applications, two evaluators each, quality 40 / impact 30 / price 30:
    ///
    /// | | price (kr) | quality | impact |
    /// |---|---|---|---|
    /// | A | 500 000 | 8, 7 → 7.50 | 6, 6 → 6.00 |
    /// | B | 400 000 | 7, 7 → 7.00 | 9, 8 → 8.50 |
    /// | C | 1 000 000 | 9, 9 → 9.00 | 9, 9 → 9.00 |
    static func candidates() -> [Candidate] {
        func candidate(_ name: String, _ kroner: Int64, _ quality: [Int], _ impact: [Int], minute: Int64) -> Candidate {
            Candidate(
                application: ApplicationID(name)!, companyName: name + " AS", price: Money(kroner: kroner),
                receivedAt: Fixtures.start.adding(milliseconds: minute * 60_000),
                sheets: zip(quality, impact).enumerated().map { ScoringInput.Sheet(evaluator: "e\($0.offset + 1)", points: [$0.element.0, $0.element.1]) },
                consensus: [nil, nil], hasRecusal: false)
        }
        return [candidate("A", 500_000, [8, 7], [6, 6], minute: 1), candidate("B", 400_000, [7, 7], [9, 8], minute: 2), candidate("C", 1_000_000, [9, 9], [9, 9], minute: 3)]
    }

    struct Example: Sendable, CustomTestStringConvertible {
        var formula: PriceFormula
        var normalisation: Bool
        /// Per application A, B, C: quality, impact, price (hundredths), total.
        var expected: [String: [Int]]
        var order: [String]
        var testDescription: String { "\(formula.rawValue), normalisation \(normalisation)" }
    }

    static let examples: [Example] = [
        // Linear: A 10·(800−500)/400 = 7.50; B 10.00; C 10·(800−1000)/400 = −5.00.
        // A (40·750 + 30·600 + 30·750)/100 = 7.05; B (28000 + 25500 + 30000)/100 = 8.35; C (36000 + 27000 − 15000)/100 = 4.80.
        Example(formula: .linear, normalisation: false, expected: [
            "A": [750, 600, 750, 705], "B": [700, 850, 1000, 835], "C": [900, 900, -500, 480],
        ], order: ["B", "A", "C"]),
        // Proportional: A 10·400/500 = 8.00; C 10·400/1000 = 4.00. A 7.20, C 7.50.
        Example(formula: .proportional, normalisation: false, expected: [
            "A": [750, 600, 800, 720], "B": [700, 850, 1000, 835], "C": [900, 900, 400, 750],
        ], order: ["B", "C", "A"]),
        // Normalised to the best of each criterion (quality 9.00, impact 9.00, price 10.00):
        // A 750·1000/900 = 833.3 → 833, 600·1000/900 = 666.7 → 667; B 777.8 → 778, 944.4 → 944.
        // A (33320 + 20010 + 22500)/100 = 758.3 → 7.58; B (31120 + 28320 + 30000)/100 = 894.4 → 8.94; C 5.50.
        Example(formula: .linear, normalisation: true, expected: [
            "A": [833, 667, 750, 758], "B": [778, 944, 1000, 894], "C": [1000, 1000, -500, 550],
        ], order: ["B", "A", "C"]),
        // Proportional, normalised: price already tops at 10.00. A (33320 + 20010 + 24000)/100 = 773.3 → 7.73;
        // C (40000 + 30000 + 12000)/100 = 8.20.
        Example(formula: .proportional, normalisation: true, expected: [
            "A": [833, 667, 800, 773], "B": [778, 944, 1000, 894], "C": [1000, 1000, 400, 820],
        ], order: ["B", "C", "A"]),
    ]

    @Test("hand-computed totals and ranking", arguments: examples)
    func example(_ example: Example) {
        let terms = Fixtures.terms(formula: example.formula, normalisation: example.normalisation)
        let result = ScoringEngine.finalise(ScoringInput(terms: terms, applications: Self.candidates()), challenge: ChallengeID("c")!, at: Fixtures.start, drawSeed: [])
        #expect(result.ranking.map(\.application.rawValue) == example.order)
        for ranked in result.ranking {
            let expected = example.expected[ranked.application.rawValue]!
            #expect([ranked.points["quality"], ranked.points["impact"], ranked.points["price"], ranked.totalHundredths] == expected.map(Optional.some), "\(ranked.application)")
        }
        #expect(result.shortlist.map(\.rawValue) == Array(example.order.prefix(2)))
        #expect(result.ranking.map(\.rank) == [1, 2, 3])
        #expect(result.drawSeed == nil && result.ranking.allSatisfy { $0.tieBreak == nil })
        let last = result.ranking[2]
        let lowest = result.ranking[1].totalHundredths
        #expect(last.reason == "Ranked 3 of 3 with \(Hundredths.text(last.totalHundredths)) points; the shortlist's lowest total was \(Hundredths.text(lowest)) (rank 2)")
        #expect(result.ranking.prefix(2).allSatisfy { $0.reason == nil && $0.shortlisted })
    }

    @Test("price to points, exactly, rounded half up once (towards +∞ on a half, also below zero)", arguments: [
        (PriceFormula.linear, Int64(400_000_00), Int64(400_000_00), 10, 1000),
        (.linear, 500_000_00, 400_000_00, 10, 750),
        (.linear, 1_000_000_00, 400_000_00, 10, -500),   // may go negative: the published formula
        (.linear, 1_200_000_00, 400_000_00, 10, -1000),
        (.linear, 301, 300, 10, 997),                     // 996.67
        (.linear, 4001, 2000, 10, 0),                     // −0.5 → 0
        (.linear, 4003, 2000, 10, -1),                    // −1.5 → −1
        (.linear, 4005, 2000, 10, -2),                    // −2.5 → −2
        (.linear, 4007, 2000, 10, -3),                    // −3.5 → −3
        (.proportional, 500_000_00, 400_000_00, 10, 800),
        (.proportional, 301, 300, 10, 997),               // 996.68
        (.proportional, 3, 2, 10, 667),                   // 666.67
        (.proportional, 16, 1, 10, 63),                   // 62.5
        (.proportional, 16, 1, 5, 31),                    // 31.25
    ])
    func price(_ formula: PriceFormula, _ price: Int64, _ lowest: Int64, _ max: Int, _ expected: Int) {
        #expect(PriceScore.hundredths(formula: formula, price: Money(ore: price), lowest: Money(ore: lowest), scaleMax: max) == expected)
    }

    @Test("means in hundredths, rounded half up", arguments: [
        ([7, 8], 750), ([7, 8, 8], 767), ([0, 0, 1], 33), ([0, 1, 1], 67), ([5, 6, 6, 6, 6, 6, 6, 6], 588), ([10, 10], 1000),
    ])
    func mean(_ points: [Int], _ expected: Int) {
        #expect(ScoringEngine.mean(points) == expected)
    }

    @Test("a recorded consensus replaces the mean of its criterion")
    func consensusCounts() {
        var applications = Self.candidates()
        applications[0].consensus = [825, nil]
        let result = ScoringEngine.finalise(ScoringInput(terms: Fixtures.terms(), applications: applications), challenge: ChallengeID("c")!, at: Fixtures.start, drawSeed: [])
        let a = result.ranking.first { $0.application.rawValue == "A" }!
        #expect(a.points["quality"] == 825)
        #expect(a.totalHundredths == (40 * 825 + 30 * 600 + 30 * 750 + 50) / 100)
    }

    @Test("normalisation leaves a criterion whose best is not positive as it is")
    func normaliseNothing() {
        #expect(Normalisation.normalise([0, 0], scaleMax: 10) == [0, 0])
        #expect(Normalisation.normalise([-500, 1000, 750], scaleMax: 10) == [-500, 1000, 750])
        #expect(Normalisation.normalise([450, 300], scaleMax: 5) == [500, 333])
    }
}
