public import Messages

/// The evaluators assigned to one application and where each stands — the facts the blind
/// rule, consensus and readiness are judged on (DESIGN.md §5).
public struct ApplicationPanel: Sendable, Hashable {
    public var seats: [Seat]
    /// Recorded consensus: criterion id → hundredths.
    public var consensus: [String: Int]

    public init(seats: [Seat], consensus: [String: Int]) {
        self.seats = seats
        self.consensus = consensus
    }

    /// One assigned evaluator.
    public struct Seat: Sendable, Hashable {
        public var evaluator: String
        public var declaration: DeclarationKind?
        /// Whether the evaluator's sheet is done; nil when none was submitted.
        public var sheetDone: Bool?
        /// The sheet's points by criterion.
        public var points: [String: Int]

        public init(evaluator: String, declaration: DeclarationKind?, sheet: (done: Bool, points: [String: Int])?) {
            self.evaluator = evaluator
            self.declaration = declaration
            self.sheetDone = sheet?.done
            self.points = sheet?.points ?? [:]
        }

        public var state: EvaluatorState {
            switch (declaration, sheetDone) {
            case (.conflict, _): .recused
            case (nil, _): .assigned
            case (.impartial, nil): .impartial
            case (.impartial, false?): .scoring
            case (.impartial, true?): .done
            }
        }

        public var isDone: Bool { state == .done }
    }

    public func seat(of evaluator: String) -> Seat? { seats.first { $0.evaluator == evaluator } }

    /// The sheets that count: those of impartial evaluators marked done.
    public var doneSeats: [Seat] { seats.filter(\.isDone) }

    public var hasRecusal: Bool { seats.contains { $0.state == .recused } }

    /// Blind scoring: no one sees another's scores for an application until every assigned
    /// evaluator who is not recused is done.
    public var blindLifted: Bool { seats.allSatisfy { $0.state == .recused || $0.isDone } }

    /// The criteria (of `criteria`, in order) on which the done evaluators differ by more than
    /// `spreadHundredths`: they need a recorded consensus; elsewhere the mean stands.
    public func needingConsensus(_ criteria: [String], spreadHundredths: Int) -> [String] {
        let done = doneSeats
        guard done.count >= 2 else { return [] }
        return criteria.filter { criterion in
            let points = done.compactMap { $0.points[criterion] }
            guard let low = points.min(), let high = points.max() else { return false }
            return (high - low) * 100 > spreadHundredths
        }
    }

    /// Ready to finalise: at least two impartial evaluators done, and a consensus recorded for
    /// every criterion that needs one.
    public func isReady(_ criteria: [String], spreadHundredths: Int) -> Bool {
        doneSeats.count >= 2 && needingConsensus(criteria, spreadHundredths: spreadHundredths).allSatisfy { consensus[$0] != nil }
    }
}
