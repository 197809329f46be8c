import Evaluation
import Foundation
import Messages

// Issue 6's benchmark: 10,000 applications × 50 evaluators ranked by Evaluation's pure
// scoring engine — the published method (three scored criteria and linear price points,
// normalisation on, tie-break by draw of lots), Kendall's W per criterion and overall, and
// the largest disagreements. Prints one RESULT line per repetition (milliseconds).
//
//   bench-evaluation [--applications N] [--evaluators M] [--reps R]

var applications = 10_000
var evaluators = 50
var reps = 5
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--applications": applications = Int(arguments.next() ?? "") ?? applications
    case "--evaluators": evaluators = Int(arguments.next() ?? "") ?? evaluators
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}

/// SplitMix64: the same input on every run.
struct Generator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let terms = EvaluationTerms(
    criteria: [
        Criterion(id: "quality", name: "Quality", weight: 40), Criterion(id: "impact", name: "Impact", weight: 20),
        Criterion(id: "team", name: "Team", weight: 15), Criterion(id: "price", name: "Price", weight: 25, isPrice: true),
    ],
    scale: ScoringScale(min: 0, max: 10), priceFormula: .linear, normalisation: true,
    tieBreak: TieBreak(rule: .drawOfLots), places: 4)
var random = Generator(state: 2026)
let panel = (0..<evaluators).map { "evaluator-\($0)" }
let start = Timestamp(millisecondsSinceEpoch: 1_780_000_000_000)
let candidates = (0..<applications).map { i -> ScoringInput.Candidate in
    let quality = Int(random.next() % 8) + 2
    let sheets = panel.map { evaluator in
        ScoringInput.Sheet(evaluator: evaluator, points: (0..<3).map { _ in min(10, max(0, quality + Int(random.next() % 3) - 1)) })
    }
    return ScoringInput.Candidate(
        application: ApplicationID("app-\(i)")!, companyName: "Startup \(i) AS", price: Money(kroner: 700_000 + Int64(random.next() % 15) * 50_000),
        receivedAt: start.adding(milliseconds: Int64(i)), sheets: sheets, consensus: [nil, nil, nil], hasRecusal: false)
}
let input = ScoringInput(terms: terms, applications: candidates)
let seed = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }

for rep in 1...reps {
    let clock = ContinuousClock()
    let began = clock.now
    let result = ScoringEngine.finalise(input, challenge: ChallengeID("bench")!, at: start, drawSeed: seed)
    let took = clock.now - began
    let ms = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
    precondition(result.ranking.count == applications && result.shortlist.count == 4)
    print(String(format: "RESULT rep=%d bench=evaluation applications=%d evaluators=%d ms=%.1f", rep, applications, evaluators, ms))
}
