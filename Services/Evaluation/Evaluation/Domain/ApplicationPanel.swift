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

    /// The evaluators the application still waits for: every one not recused and not done
    /// (not declared yet, impartial without a sheet, or scoring). Each must finish, declare a
    /// conflict, or be removed by an officer; an unfinished sheet is never silently dropped.
    public var unfinishedSeats: [Seat] { seats.filter { $0.state != .recused && !$0.isDone } }

    public var hasRecusal: Bool { seats.contains { $0.state == .recused } }

    /// Blind scoring: no one sees another's scores for an application until every assigned
    /// evaluator who is not recused is done.
    public var blindLifted: Bool { unfinishedSeats.isEmpty }

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

    /// Ready to finalise — the same condition the blind rule and consensus rest on: every
    /// evaluator who is not recused is done (``blindLifted``), at least two are, and a
    /// consensus is recorded for every criterion that needs one.
    public func isReady(_ criteria: [String], spreadHundredths: Int) -> Bool {
        whyNotReady(criteria, spreadHundredths: spreadHundredths) == nil
    }

    /// What keeps the application from being ready, the first thing to resolve first; nil
    /// when it is ready.
    public func whyNotReady(_ criteria: [String], spreadHundredths: Int) -> String? {
        let unfinished = unfinishedSeats
        if !unfinished.isEmpty {
            let who = unfinished.map { "\($0.evaluator) (\($0.state.rawValue))" }.joined(separator: ", ")
            return "not every evaluator is done: \(who); each must finish, declare a conflict, or be removed"
        }
        let done = doneSeats.count
        if done < 2 { return "\(done) impartial evaluator\(done == 1 ? " is" : "s are") done; at least two are needed" }
        let missing = needingConsensus(criteria, spreadHundredths: spreadHundredths).filter { consensus[$0] == nil }
        if !missing.isEmpty { return "a consensus is needed on \(missing.joined(separator: ", "))" }
        return nil
    }
}
