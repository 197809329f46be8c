/// The order in which a startup reads its evaluators' reasons for one criterion.
///
/// The panel is public — `panel.assigned` names every evaluator, and `scores.finalised` lists
/// each done sheet by evaluator — so any order derived from the evaluators (their subjects,
/// when they finished) would let a startup tell which named evaluator wrote which reason.
/// The reasons are therefore ordered by their own text, by the bytes of its UTF-8 (not by
/// Swift's Unicode-aware `<`, which treats canonically equivalent texts as equal and would
/// leave their order to the evaluators'). The n-th reason of one criterion and of another
/// need not be the same evaluator's.
enum FeedbackReasons {
    static func ordered(_ reasons: [String]) -> [String] {
        reasons.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
