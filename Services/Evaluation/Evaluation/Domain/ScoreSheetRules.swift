public import Messages
import ServiceKit

/// What a score sheet must hold: a score for every scored (non-price) criterion and no other,
/// whole points on the scale, and a reason of 1–2000 characters each — the reason is what
/// the startup reads as feedback. Violations are `invalid_argument` naming the field
/// (`scores[2].points`), never the text.
public enum ScoreSheetRules {
    /// The scores checked, in the order of the terms' criteria (so a sheet's digest does not
    /// depend on the order they were sent in).
    public static func check(_ scores: [CriterionScoreInput], terms: EvaluationTerms) throws(RPCError) -> [CriterionScoreInput] {
        let scored = terms.criteria.filter { !$0.isPrice }
        let price = Set(terms.criteria.filter(\.isPrice).map(\.id))
        var byCriterion: [String: CriterionScoreInput] = [:]
        for (index, score) in scores.enumerated() {
            let path = "scores[\(index)]"
            guard !price.contains(score.criterion) else {
                throw RPCError.invalidField(path + ".criterion", "price is not scored by evaluators: its points come from the published formula")
            }
            guard scored.contains(where: { $0.id == score.criterion }) else {
                throw RPCError.invalidField(path + ".criterion", "is not a criterion of this challenge")
            }
            guard byCriterion[score.criterion] == nil else {
                throw RPCError.invalidField(path + ".criterion", "is scored twice")
            }
            guard (terms.scale.min...terms.scale.max).contains(score.points) else {
                throw RPCError.invalidField(path + ".points", "must be whole points from \(terms.scale.min) to \(terms.scale.max)")
            }
            try TextRule.check(score.reason, path + ".reason", length: 1...2000)
            byCriterion[score.criterion] = score
        }
        let missing = scored.filter { byCriterion[$0.id] == nil }.map(\.id)
        guard missing.isEmpty else {
            throw RPCError.invalidField("scores", "a score is needed for every criterion; missing: \(missing.joined(separator: ", "))")
        }
        return scored.compactMap { byCriterion[$0.id] }
    }

    /// The sheet's digest: SHA-256 of the canonical JSON of `{application, evaluator, scores}`.
    public static func digest(application: ApplicationID, evaluator: String, scores: [CriterionScoreInput]) throws -> Digest {
        struct Sheet: Encodable {
            var application: ApplicationID
            var evaluator: String
            var scores: [CriterionScoreInput]
        }
        return Digest.sha256(try CanonicalJSON.encode(Sheet(application: application, evaluator: evaluator, scores: scores)))
    }
}
