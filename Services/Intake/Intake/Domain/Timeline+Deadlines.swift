public import Messages

/// The deadlines as legal facts (DESIGN.md §5): a deadline is open up to and including its
/// own millisecond, and closed from the next one, with no discretion either way.
extension ChallengePublished.Timeline {
    /// Whether a submission, amendment or withdrawal made at `now` is in time.
    public func acceptsApplications(at now: Timestamp) -> Bool { now <= applicationDeadline }

    /// Whether a question asked at `now` is in time.
    public func acceptsQuestions(at now: Timestamp) -> Bool { now <= questionsDeadline }

    /// Whether intake may close at `now`: strictly after the application deadline.
    public func intakeMayClose(at now: Timestamp) -> Bool { now > applicationDeadline }
}
