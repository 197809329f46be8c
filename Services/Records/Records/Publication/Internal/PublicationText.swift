import Messages

/// Wording shared by the protocol and the OCDS export, so both describe terms alike.
enum PublicationText {
    static func kind(_ kind: AwardDecided.AgreementKind) -> String {
        switch kind {
        case .purchase: "purchase"
        case .pilotContract: "pilot contract"
        case .innovationPartnership: "innovation partnership"
        case .none: "no agreement"
        }
    }

    static func formula(_ formula: ChallengePublished.PriceFormula) -> String {
        switch formula {
        case .linear: "linear, 10 − 10·(Pe − Pb)/Pb"
        case .proportional: "proportional, 10·Pb/Pe"
        case .none: "none"
        }
    }

    /// `Price 30 % (price), Quality 40 %, Team 30 %`.
    static func criteria(_ criteria: [ChallengePublished.Criterion]) -> String {
        criteria.map { "\($0.name) \($0.weight) %\($0.isPrice ? " (price)" : "")" }.joined(separator: ", ")
    }

    static func tieBreak(_ tieBreak: ChallengePublished.TieBreak, criteria: [ChallengePublished.Criterion]) -> String {
        switch tieBreak.rule {
        case .highestOnCriterion:
            let name = criteria.first { $0.id == tieBreak.criterion }?.name ?? tieBreak.criterion ?? "the named criterion"
            return "the higher score on \(name) ranks first"
        case .earliestApplication:
            return "the application received first ranks first"
        case .drawOfLots:
            return "drawn by lot"
        }
    }

    /// Scale, price formula, normalisation and tie-break in one sentence.
    static func method(scale: ChallengePublished.ScoringScale, priceFormula: ChallengePublished.PriceFormula, normalisation: Bool, tieBreak: ChallengePublished.TieBreak, criteria: [ChallengePublished.Criterion]) -> String {
        "Each criterion is scored \(scale.min)–\(scale.max); price formula \(formula(priceFormula)); "
            + "normalisation \(normalisation ? "on" : "off"); on equal totals \(self.tieBreak(tieBreak, criteria: criteria))."
    }

    /// Hundredths of a point as `7.25`.
    static func points(_ hundredths: Int) -> String {
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        return "\(hundredths < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
