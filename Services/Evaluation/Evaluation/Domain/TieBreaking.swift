import Crypto
import Messages

/// Orders applications by total, best first, and equal totals by the published tie-break
/// rule (DESIGN.md §5):
/// - `highest_on_criterion`: the higher points on the named criterion first (the points that
///   counted, after normalisation), then the earlier application;
/// - `earliest_application`: the earlier receipt first, then the lower application id;
/// - `draw_of_lots`: ascending SHA-256 of `seed ‖ application id (UTF-8)`. The seed is
///   recorded, so anyone can redo the draw; the order is fixed before anyone sees it.
enum TieBreaking {
    struct Ordering {
        /// Application indices, best first.
        var order: [Int]
        /// Per application index: why it sits where it does among equal totals.
        var notes: [String?]
        /// The rule in words, for the reasons of applications a tie kept off the shortlist.
        var rulePhrase: String
        /// Whether the draw of lots decided at least one tie.
        var seedDecided: Bool
    }

    static func rank(
        totals: [Int], rule: TieBreak, criterionPoints: [Int]?, criterionName: String?,
        applications: [ScoringInput.Candidate], seed: [UInt8]
    ) -> Ordering {
        let earlier: (Int, Int) -> Bool = { a, b in
            let x = applications[a], y = applications[b]
            return x.receivedAt != y.receivedAt ? x.receivedAt < y.receivedAt : x.application.rawValue < y.application.rawValue
        }
        let before: (Int, Int) -> Bool
        let phrase: String
        switch rule.rule {
        case .highestOnCriterion:
            let points = criterionPoints ?? totals
            phrase = "the higher score on \(criterionName ?? "the named criterion") first, then the earlier application"
            before = { a, b in points[a] != points[b] ? points[a] > points[b] : earlier(a, b) }
        case .earliestApplication:
            phrase = "the earlier application first"
            before = earlier
        case .drawOfLots:
            phrase = "the recorded draw of lots"
            let lots = applications.map { candidate in
                var hasher = SHA256()
                hasher.update(data: seed)
                hasher.update(data: Array(candidate.application.rawValue.utf8))
                return Array(hasher.finalize())
            }
            before = { a, b in lots[a] != lots[b] ? lots[a].lexicographicallyPrecedes(lots[b]) : earlier(a, b) }
        }
        let order = totals.indices.sorted { a, b in totals[a] != totals[b] ? totals[a] > totals[b] : before(a, b) }
        var notes = [String?](repeating: nil, count: totals.count)
        var seedDecided = false
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && totals[order[end]] == totals[order[start]] { end += 1 }
            if end - start > 1 {
                if rule.rule == .drawOfLots { seedDecided = true }
                let others = end - start - 1
                let tied = "Tied at \(Hundredths.text(totals[order[start]])) points with \(others) other application\(others == 1 ? "" : "s")"
                for position in start..<end {
                    let index = order[position]
                    var note = "\(tied); placed \(position - start + 1) of \(end - start) by \(phrase)"
                    if rule.rule == .highestOnCriterion, let points = criterionPoints {
                        note += " (\(Hundredths.text(points[index])) on \(criterionName ?? "it"))"
                    } else if rule.rule == .earliestApplication {
                        note += " (received \(applications[index].receivedAt.iso8601))"
                    }
                    notes[index] = note
                }
            }
            start = end
        }
        return Ordering(order: order, notes: notes, rulePhrase: phrase, seedDecided: seedDecided)
    }
}
