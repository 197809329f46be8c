public import Messages
import ServiceKit

/// What a challenge's terms must satisfy: some fields on every draft, everything when it is
/// published, because publishing freezes the terms (DESIGN.md §5) and Evaluation applies
/// them exactly as they stand.
///
/// Violations are `invalid_argument` naming the field (`terms.criteria`, `terms.timeline.…`).
public enum ChallengeRules {
    /// Criterion ids: 1–64 of `A–Z a–z 0–9 . _ -`; scores and tie-breaks refer to them.
    public static func isValidCriterionID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
        }
    }

    /// The checks every draft passes: enough to list it and to edit it further.
    public static func checkDraft(_ terms: ChallengeTerms, path: String = "terms") throws(RPCError) {
        try TextRule.check(terms.title, TextRule.join(path, "title"), length: 1...200)
        try TextRule.check(terms.summary, TextRule.join(path, "summary"), length: 0...500)
        try TextRule.check(terms.problemStatement, TextRule.join(path, "problemStatement"), length: 1...100_000)
        try TextRule.check(terms.buyer.name, TextRule.join(path, "buyer.name"), length: 1...200)
        guard terms.places >= 1 else { throw RPCError.invalidField(TextRule.join(path, "places"), "must be at least 1") }
        guard terms.scale.min < terms.scale.max else {
            throw RPCError.invalidField(TextRule.join(path, "scale"), "min must be less than max")
        }
        if let budget = terms.budget, budget.ore <= 0 {
            throw RPCError.invalidField(TextRule.join(path, "budget"), "must be positive when given")
        }
        for (index, criterion) in terms.criteria.enumerated() {
            try TextRule.check(criterion.name, TextRule.join(path, "criteria[\(index)].name"), length: 1...200)
        }
    }

    /// Everything publication requires, judged at `now` (the service's legal clock).
    public static func checkPublishable(_ terms: ChallengeTerms, now: Timestamp, path: String = "terms") throws(RPCError) {
        try checkDraft(terms, path: path)
        try checkCriteria(terms, path: path)
        try checkTimeline(terms.timeline, now: now, path: TextRule.join(path, "timeline"))
    }

    static func checkCriteria(_ terms: ChallengeTerms, path: String) throws(RPCError) {
        let criteriaPath = TextRule.join(path, "criteria")
        guard !terms.criteria.isEmpty else { throw RPCError.invalidField(criteriaPath, "at least one criterion is required") }
        var ids = Set<String>()
        for (index, criterion) in terms.criteria.enumerated() {
            guard isValidCriterionID(criterion.id) else {
                throw RPCError.invalidField("\(criteriaPath)[\(index)].id", "must be 1 to 64 of A-Z a-z 0-9 . _ -")
            }
            guard ids.insert(criterion.id).inserted else {
                throw RPCError.invalidField("\(criteriaPath)[\(index)].id", "criterion id '\(criterion.id)' is used twice")
            }
            guard criterion.weight > 0 else {
                throw RPCError.invalidField("\(criteriaPath)[\(index)].weight", "must be a positive whole percentage")
            }
        }
        // Summed without trapping: weights arrive from outside.
        let total = terms.criteria.reduce(into: 0) { sum, criterion in sum = sum.addingReportingOverflow(criterion.weight).partialValue }
        guard total == 100 else {
            throw RPCError.invalidField(criteriaPath, "weights must sum to exactly 100; they sum to \(total)")
        }
        let priced = terms.criteria.filter(\.isPrice).count
        guard priced <= 1 else { throw RPCError.invalidField(criteriaPath, "at most one criterion may be price") }
        if priced == 1 && terms.priceFormula == .none {
            throw RPCError.invalidField(TextRule.join(path, "priceFormula"), "a price criterion needs the linear or proportional formula")
        }
        if priced == 0 && terms.priceFormula != .none {
            throw RPCError.invalidField(TextRule.join(path, "priceFormula"), "must be none when no criterion is price")
        }
        let tieBreakPath = TextRule.join(path, "tieBreak.criterion")
        switch terms.tieBreak.rule {
        case .highestOnCriterion:
            guard let criterion = terms.tieBreak.criterion, ids.contains(criterion) else {
                throw RPCError.invalidField(tieBreakPath, "highest_on_criterion must name one of the challenge's criteria")
            }
        case .earliestApplication, .drawOfLots:
            guard terms.tieBreak.criterion == nil else {
                throw RPCError.invalidField(tieBreakPath, "only highest_on_criterion names a criterion")
            }
        }
    }

    /// now < questions deadline ≤ application deadline ≤ dialogue start ≤ dialogue end.
    static func checkTimeline(_ timeline: Timeline, now: Timestamp, path: String) throws(RPCError) {
        guard now < timeline.questionsDeadline else {
            throw RPCError.invalidField(TextRule.join(path, "questionsDeadline"), "must be in the future (now is \(now))")
        }
        guard timeline.questionsDeadline <= timeline.applicationDeadline else {
            throw RPCError.invalidField(TextRule.join(path, "applicationDeadline"), "must not be before the questions deadline")
        }
        guard timeline.applicationDeadline <= timeline.dialogueStart else {
            throw RPCError.invalidField(TextRule.join(path, "dialogueStart"), "must not be before the application deadline")
        }
        guard timeline.dialogueStart <= timeline.dialogueEnd else {
            throw RPCError.invalidField(TextRule.join(path, "dialogueEnd"), "must not be before the dialogue start")
        }
    }
}

extension ChallengePublished {
    /// The event that freezes `terms`: every field maps one to one.
    public init(terms: ChallengeTerms) {
        self.init(
            title: terms.title, summary: terms.summary, buyer: terms.buyer, criteria: terms.criteria, scale: terms.scale,
            priceFormula: terms.priceFormula, normalisation: terms.normalisation, tieBreak: terms.tieBreak,
            places: terms.places, timeline: terms.timeline, budget: terms.budget)
    }
}
