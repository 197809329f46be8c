import Foundation
import Messages

/// The Markdown form of a protocol: the terms as published, then one table row per decision.
struct ProtocolMarkdown {
    var challenge: ChallengeID
    var terms: ChallengePublished?
    var decisions: [ProtocolDecision]
    var confidentialAccesses: Int
    var interestRegistrations: Int

    func render() -> String {
        var lines = ["# Procurement protocol: \(terms?.title ?? "challenge \(challenge)")", ""]
        var intro = "Challenge `\(challenge)`: \(decisions.count) decisions"
        if let first = decisions.first, let last = decisions.last {
            intro += " from record entries \(first.index)–\(last.index)"
        }
        lines.append(intro + ". Times are Oslo time.")
        lines.append("")
        lines.append("What was decided, when, by whom and why (FOA § 7-1), derived from the procurement record; each row names its entry, which an inclusion proof ties to a signed checkpoint.")
        if let terms {
            lines.append("")
            lines.append("## Terms as published")
            lines.append("")
            lines.append("- Buyer: \(terms.buyer.name) (org. no. \(terms.buyer.orgNumber))")
            lines.append("- Places in the dialogue: \(terms.places)")
            lines.append("- Award criteria: \(PublicationText.criteria(terms.criteria))")
            lines.append("- Method: " + PublicationText.method(scale: terms.scale, priceFormula: terms.priceFormula, normalisation: terms.normalisation, tieBreak: terms.tieBreak, criteria: terms.criteria))
            let t = terms.timeline
            lines.append("- Timeline: questions by \(OsloTime.format(t.questionsDeadline)); applications by \(OsloTime.format(t.applicationDeadline)); dialogue \(OsloTime.format(t.dialogueStart)) to \(OsloTime.format(t.dialogueEnd))")
            if let budget = terms.budget { lines.append("- Estimated value: \(budget)") }
        }
        lines.append("")
        lines.append("## Decisions")
        lines.append("")
        lines.append("| Entry | Time | By | Decision | Reason |")
        lines.append("|---:|---|---|---|---|")
        for d in decisions {
            let cells = ["\(d.index)", OsloTime.format(d.time), "\(d.actor.subject) (\(d.actor.role.rawValue))", d.summary, d.reason ?? "—"]
            lines.append("| " + cells.map(Self.cell).joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append("\(interestRegistrations) companies registered interest; confidential data was opened \(confidentialAccesses) times under access grants. Each is an entry in the record.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Table cells hold one line and no unescaped pipe.
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "|", with: "\\|")
            .split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
