public import Messages
import ServiceKit

/// What an amendment may do (DESIGN.md §5): it is reasoned and announced, and it may move
/// deadlines only later — a deadline that applicants planned for is never shortened. It
/// never changes criteria, weights, scale, formula, tie-break or places.
public enum AmendmentRules {
    /// The timeline in force after `request`, or the violation. `now` is the legal clock.
    public static func amended(_ timeline: Timeline, by request: AmendChallengeRequest, now: Timestamp) throws(RPCError) -> Timeline {
        try TextRule.check(request.reason, "reason", length: 1...2000)
        try TextRule.check(request.changes, "changes", length: 1...10_000)
        var result = timeline
        if let deadline = request.newApplicationDeadline {
            guard deadline > timeline.applicationDeadline else {
                throw RPCError.invalidField("newApplicationDeadline", "must be later than the deadline in force (\(timeline.applicationDeadline)): an amendment may extend, never shorten")
            }
            guard deadline <= timeline.dialogueStart else {
                throw RPCError.invalidField("newApplicationDeadline", "must not be after the dialogue start (\(timeline.dialogueStart))")
            }
            result.applicationDeadline = deadline
        }
        if let deadline = request.newQuestionsDeadline {
            guard deadline > timeline.questionsDeadline, deadline > now else {
                throw RPCError.invalidField("newQuestionsDeadline", "must be later than the questions deadline in force (\(timeline.questionsDeadline)) and than now")
            }
            guard deadline <= result.applicationDeadline else {
                throw RPCError.invalidField("newQuestionsDeadline", "must not be after the application deadline (\(result.applicationDeadline))")
            }
            result.questionsDeadline = deadline
        }
        return result
    }
}
