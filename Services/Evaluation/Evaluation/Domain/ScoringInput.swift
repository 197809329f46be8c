public import Messages

/// Everything the scoring engine needs to finalise an evaluation, and nothing it would have
/// to fetch: the published terms and, per application, the done score sheets that count and
/// the consensus recorded.
public struct ScoringInput: Sendable {
    public var terms: EvaluationTerms
    /// In the evaluation's order (Intake's order of receipt).
    public var applications: [Candidate]

    public init(terms: EvaluationTerms, applications: [Candidate]) {
        self.terms = terms
        self.applications = applications
    }

    /// The criteria evaluators score: every criterion but price, in the terms' order. A
    /// ``Sheet``'s points and a ``Candidate``'s consensus are indexed like this.
    public var scoredCriteria: [Criterion] { terms.criteria.filter { !$0.isPrice } }

    /// One evaluated application.
    public struct Candidate: Sendable {
        public var application: ApplicationID
        public var companyName: String
        /// Pe: the requested budget.
        public var price: Money
        public var receivedAt: Timestamp
        /// The done sheets of its impartial evaluators.
        public var sheets: [Sheet]
        /// The recorded consensus per scored criterion, in hundredths (nil: the mean stands).
        public var consensus: [Int?]
        /// Whether an assigned evaluator was recused from it: such an application is left out
        /// of the block Kendall's W is computed on, which must be complete.
        public var hasRecusal: Bool

        public init(application: ApplicationID, companyName: String, price: Money, receivedAt: Timestamp, sheets: [Sheet], consensus: [Int?], hasRecusal: Bool) {
            self.application = application
            self.companyName = companyName
            self.price = price
            self.receivedAt = receivedAt
            self.sheets = sheets
            self.consensus = consensus
            self.hasRecusal = hasRecusal
        }
    }

    /// One evaluator's done sheet: whole points per scored criterion.
    public struct Sheet: Sendable, Hashable {
        public var evaluator: String
        public var points: [Int]

        public init(evaluator: String, points: [Int]) {
            self.evaluator = evaluator
            self.points = points
        }
    }
}
