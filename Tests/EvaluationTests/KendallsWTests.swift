@testable import Evaluation
import Messages
import Testing

/// Kendall's W against a published example and hand-computed ones.
@Suite("Kendall's W")
struct KendallsWTests {
    /// Siegel, S. (1956). *Nonparametric Statistics for the Behavioral Sciences*, McGraw-Hill,
    /// §9 "The Kendall coefficient of concordance W", the worked example: three executives
    /// (m = 3) rank six job applicants (n = 6). Rank sums 8, 14, 11, 11, 11, 8; s = 25.5;
    /// W = 12·25.5 / (3²·(6³ − 6)) = 306/1890 = 0.1619 (Siegel reports 0.16).
    @Test("Siegel (1956): three raters, six objects, W = 0.1619")
    func siegel() {
        let ranks = [[1, 6, 3, 2, 5, 4], [1, 5, 6, 4, 2, 3], [6, 3, 2, 5, 4, 1]]
        #expect(KendallsW.tenThousandths(ranks) == 1619)
        // Only each rater's order matters: scores where a higher score is a better rank agree.
        #expect(KendallsW.tenThousandths(ranks.map { $0.map { 7 - $0 } }) == 1619)
        // Scores spread wider than 4n are sorted rather than counted: the same W.
        #expect(KendallsW.tenThousandths(ranks.map { $0.map { $0 * 1000 } }) == 1619)
    }

    /// m = 3, n = 4 with ties (by hand): rater 2 ties the first two (ranks 1.5, 1.5, 3, 4;
    /// T = 2³ − 2 = 6), rater 3 the last two (2, 1, 3.5, 3.5; T = 6). Rank sums 4.5, 4.5, 9.5,
    /// 11.5, mean 7.5, S = 9 + 9 + 4 + 16 = 38; W = 12·38 / (9·60 − 3·12) = 456/504 = 0.9048
    /// (without the correction it would be 456/540 = 0.8444).
    @Test("with the tie correction")
    func ties() {
        #expect(KendallsW.tenThousandths([[1, 2, 3, 4], [1, 1, 3, 4], [2, 1, 3, 3]]) == 9048)
        #expect(KendallsW.tenThousandths([[1, 2, 3, 4], [1, 1, 3, 4], [2, 1, 3, 3]].map { $0.map { $0 * 1000 } }) == 9048)
    }

    @Test("full agreement is 1, opposite orders of two raters 0, and undefined cases are left out")
    func bounds() {
        #expect(KendallsW.tenThousandths([[1, 2, 3], [10, 20, 30], [4, 5, 9]]) == 10_000)
        #expect(KendallsW.tenThousandths([[1, 2, 3], [3, 2, 1]]) == 0)
        #expect(KendallsW.tenThousandths([[1, 2, 3]]) == nil)
        #expect(KendallsW.tenThousandths([[1], [2]]) == nil)
        #expect(KendallsW.tenThousandths([[5, 5, 5], [7, 7, 7]]) == nil)
        #expect(KendallsW.tenThousandths([[1, 2, 3], [1, 2]]) == nil)
    }

    /// e1 and e2 finished a1–a3, e3 only a1 and a2; a4 has a recusal. Blocks: {e1, e2} × 3
    /// and {e1, e2, e3} × 2 both hold 6 scores; the one with more raters wins.
    @Test("the largest complete block: no application with a recusal, every rater on every application")
    func block() {
        func candidate(_ id: String, _ evaluators: [String], recusal: Bool = false) -> ScoringInput.Candidate {
            ScoringInput.Candidate(
                application: ApplicationID(id)!, companyName: id, price: Money(kroner: 1), receivedAt: Fixtures.start,
                sheets: evaluators.map { ScoringInput.Sheet(evaluator: $0, points: [Int(id.suffix(1))!, 5]) }, consensus: [nil, nil], hasRecusal: recusal)
        }
        let input = ScoringInput(
            terms: Fixtures.terms(criteria: [Criterion(id: "quality", name: "Quality", weight: 60), Criterion(id: "impact", name: "Impact", weight: 40)]),
            applications: [candidate("a1", ["e1", "e2", "e3"]), candidate("a2", ["e1", "e2", "e3"]), candidate("a3", ["e1", "e2"]), candidate("a4", ["e1", "e2", "e3"], recusal: true)])
        let block = AgreementReport.block(input)
        #expect(block.raters == ["e1", "e2", "e3"] && block.applications == [0, 1])
        let agreement = AgreementReport.agreement(input)
        // Quality: every rater orders a1 < a2: W = 1. Impact: all 5s, every rater ties: undefined.
        #expect(agreement == [
            Agreement(criterion: "quality", kendallsWTenThousandths: 10_000, evaluators: 3, applications: 2),
            Agreement(criterion: "overall", kendallsWTenThousandths: 10_000, evaluators: 3, applications: 2),
        ])
    }

    @Test("disagreements: the largest spreads first, at most ten, only real ones")
    func disagreements() {
        let applications = (0..<8).map { index in
            ScoringInput.Candidate(
                application: ApplicationID("a\(index)")!, companyName: "", price: Money(kroner: 1), receivedAt: Fixtures.start,
                sheets: [ScoringInput.Sheet(evaluator: "e1", points: [index, 5]), ScoringInput.Sheet(evaluator: "e2", points: [0, 5 + index % 3])],
                consensus: [nil, nil], hasRecusal: false)
        }
        let input = ScoringInput(terms: Fixtures.terms(criteria: [Criterion(id: "q", name: "Q", weight: 50), Criterion(id: "i", name: "I", weight: 50)]), applications: applications)
        let found = AgreementReport.disagreements(input)
        #expect(found.count == 10)
        #expect(found.prefix(3).map(\.spreadHundredths) == [700, 600, 500])
        #expect(found[0] == Disagreement(application: ApplicationID("a7")!, criterion: "q", spreadHundredths: 700, scores: ["e1": 7, "e2": 0]))
        #expect(found.allSatisfy { $0.spreadHundredths > 0 })
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.spreadHundredths >= $1.spreadHundredths })
    }
}
