@testable import Evaluation
import Testing

/// The order of a criterion's reasons in a startup's feedback.
@Suite("Feedback reasons")
struct FeedbackReasonsTests {
    @Test("by the bytes of their UTF-8: capitals before small letters, æøå after z, and canonically equivalent texts apart", arguments: [
        (["b", "a"], ["a", "b"]),
        (["apple", "Zebra"], ["Zebra", "apple"]),
        (["Ærlig", "zebra", "Øvre", "Åpen"], ["zebra", "Åpen", "Ærlig", "Øvre"]),
        // é precomposed (C3 A9) and decomposed (65 CC 81): equal to Swift's `==`, not here.
        (["\u{E9}t\u{E9}", "e\u{301}te\u{301}"], ["e\u{301}te\u{301}", "\u{E9}t\u{E9}"]),
        (["same", "same"], ["same", "same"]),
        ([], []),
    ])
    func order(_ reasons: [String], _ expected: [String]) {
        let ordered = FeedbackReasons.ordered(reasons)
        #expect(ordered.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
    }
}
