import Crypto
@testable import Evaluation
import Foundation
import Messages
import Testing

/// Equal totals ordered by each published rule.
@Suite("Tie-breaks")
struct TieBreakTests {
    /// Quality 50 / impact 50, no price. All three total 7.00:
    /// X quality 8, impact 6 (received third); Y 6, 8 (first); Z 7, 7 (second).
    static func tied() -> [ScoringInput.Candidate] {
        [("X", 8, 6, 3), ("Y", 6, 8, 1), ("Z", 7, 7, 2)].map { name, quality, impact, minute in
            ScoringInput.Candidate(
                application: ApplicationID(name)!, companyName: name + " AS", price: Money(kroner: 100),
                receivedAt: Fixtures.start.adding(milliseconds: Int64(minute) * 60_000),
                sheets: [ScoringInput.Sheet(evaluator: "e1", points: [quality, impact]), ScoringInput.Sheet(evaluator: "e2", points: [quality, impact])],
                consensus: [nil, nil], hasRecusal: false)
        }
    }

    static func terms(_ tieBreak: TieBreak, places: Int = 1) -> EvaluationTerms {
        Fixtures.terms(criteria: [Criterion(id: "quality", name: "Quality", weight: 50), Criterion(id: "impact", name: "Impact", weight: 50)], tieBreak: tieBreak, places: places)
    }

    static func finalise(_ tieBreak: TieBreak, seed: [UInt8] = [], applications: [ScoringInput.Candidate] = tied()) -> EvaluationResult {
        ScoringEngine.finalise(ScoringInput(terms: terms(tieBreak), applications: applications), challenge: ChallengeID("c")!, at: Fixtures.start, drawSeed: seed)
    }

    @Test("each rule orders the same three-way tie", arguments: [
        (TieBreak(rule: .highestOnCriterion, criterion: "quality"), ["X", "Z", "Y"]),
        (TieBreak(rule: .highestOnCriterion, criterion: "impact"), ["Y", "Z", "X"]),
        (TieBreak(rule: .earliestApplication), ["Y", "Z", "X"]),
    ])
    func rules(_ tieBreak: TieBreak, _ order: [String]) {
        let result = Self.finalise(tieBreak)
        #expect(result.ranking.map(\.totalHundredths) == [700, 700, 700])
        #expect(result.ranking.map(\.application.rawValue) == order)
        #expect(result.ranking.allSatisfy { $0.tieBreak?.hasPrefix("Tied at 7.00 points with 2 other applications; placed \($0.rank) of 3 by") == true })
        #expect(result.drawSeed == nil)
        // Places 1: the two below the tie are told the tie-break decided, not a lower total.
        for ranked in result.ranking.dropFirst() {
            #expect(ranked.reason?.hasPrefix("Ranked \(ranked.rank) of 3 with 7.00 points; tied with the shortlist's lowest total (rank 1), it was placed below by the published tie-break: ") == true, "\(ranked.reason ?? "")")
        }
    }

    @Test("highest_on_criterion tied on its criterion too falls back to the earlier application")
    func criterionTiedToo() {
        var applications = Self.tied()
        applications[1].sheets = applications[0].sheets   // Y now scores like X, received first
        let result = Self.finalise(TieBreak(rule: .highestOnCriterion, criterion: "quality"), applications: applications)
        #expect(result.ranking.map(\.application.rawValue) == ["Y", "X", "Z"])
    }

    @Test("draw of lots: SHA-256(seed ‖ id) ascending, the seed recorded, the draw reproducible from it")
    func drawOfLots() throws {
        let seed = (0..<32).map { UInt8($0 * 7 % 256) }
        let result = Self.finalise(TieBreak(rule: .drawOfLots), seed: seed)
        let recorded = try #require(result.drawSeed.flatMap { Data(base64Encoded: $0) })
        #expect(Array(recorded) == seed)
        let expected = ["X", "Y", "Z"].sorted { a, b in
            let ha = Array(SHA256.hash(data: Data(seed) + Data(a.utf8))), hb = Array(SHA256.hash(data: Data(seed) + Data(b.utf8)))
            return ha.lexicographicallyPrecedes(hb)
        }
        #expect(result.ranking.map(\.application.rawValue) == expected)
        #expect(Self.finalise(TieBreak(rule: .drawOfLots), seed: Array(recorded)).ranking == result.ranking)
        // Another seed may order them otherwise; with no tie nothing is drawn or recorded.
        var untied = Self.tied()
        untied[0].sheets[0].points = [10, 10]
        untied[1].sheets[0].points = [10, 9]
        #expect(Self.finalise(TieBreak(rule: .drawOfLots), seed: seed, applications: untied).drawSeed == nil)
    }
}
