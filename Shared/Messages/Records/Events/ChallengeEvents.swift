/// A challenge was published; from this moment its terms are frozen (DESIGN.md §5, Intake).
///
/// Emitted by Intake when an officer publishes a challenge. Evaluation applies exactly these
/// criteria, weights, scale, price formula, normalisation and tie-break rule; any later change
/// is a ``ChallengeAmended``, never an edit. Everything here is public.
public struct ChallengePublished: EventBody {
    public static let eventType = EventType.challengePublished

    public var title: String
    /// The problem statement in brief, as announced.
    public var summary: String
    /// The contracting authority.
    public var buyer: Buyer
    /// The award criteria; weights are whole percentages that sum to 100.
    public var criteria: [Criterion]
    public var scale: ScoringScale
    /// How price scores are computed when a criterion ``Criterion/isPrice``.
    public var priceFormula: PriceFormula
    /// Whether each criterion's scores are scaled so the best application gets the maximum.
    public var normalisation: Bool
    public var tieBreak: TieBreak
    /// How many applications go on to dialogue (e.g. 4).
    public var places: Int
    public var timeline: Timeline
    /// The estimated value, when announced.
    public var budget: Money?

    public init(title: String, summary: String, buyer: Buyer, criteria: [Criterion], scale: ScoringScale, priceFormula: PriceFormula, normalisation: Bool, tieBreak: TieBreak, places: Int, timeline: Timeline, budget: Money? = nil) {
        self.title = title
        self.summary = summary
        self.buyer = buyer
        self.criteria = criteria
        self.scale = scale
        self.priceFormula = priceFormula
        self.normalisation = normalisation
        self.tieBreak = tieBreak
        self.places = places
        self.timeline = timeline
        self.budget = budget
    }

    /// The sum of the criteria weights; a valid challenge has 100.
    public var totalWeight: Int { criteria.reduce(0) { $0 + $1.weight } }

    /// The municipality (or agency) buying: organisation number and name.
    public struct Buyer: Codable, Sendable, Hashable {
        public var orgNumber: OrgNumber
        public var name: String
        public init(orgNumber: OrgNumber, name: String) {
            self.orgNumber = orgNumber
            self.name = name
        }
    }

    /// One award criterion.
    public struct Criterion: Codable, Sendable, Hashable {
        /// Stable within the challenge; scores refer to it.
        public var id: String
        public var name: String
        /// Whole percent; the weights of a challenge sum to 100.
        public var weight: Int
        /// Whether this criterion is price, scored by ``ChallengePublished/priceFormula``.
        public var isPrice: Bool
        public init(id: String, name: String, weight: Int, isPrice: Bool = false) {
            self.id = id
            self.name = name
            self.weight = weight
            self.isPrice = isPrice
        }
    }

    /// The range of points an evaluator gives per criterion, e.g. 0–10.
    public struct ScoringScale: Codable, Sendable, Hashable {
        public var min: Int
        public var max: Int
        public init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }
    }

    /// The published price formula, with Pb the lowest price and Pe the price evaluated.
    public enum PriceFormula: String, Codable, Sendable, Hashable, CaseIterable {
        /// `10 − 10·(Pe − Pb)/Pb`.
        case linear
        /// `10·Pb/Pe`.
        case proportional
        /// No price criterion.
        case none
    }

    /// How equal weighted totals are ordered.
    public struct TieBreak: Codable, Sendable, Hashable {
        public var rule: Rule
        /// For ``Rule/highestOnCriterion``: the criterion id whose higher score wins.
        public var criterion: String?
        public init(rule: Rule, criterion: String? = nil) {
            self.rule = rule
            self.criterion = criterion
        }

        public enum Rule: String, Codable, Sendable, Hashable, CaseIterable {
            /// The higher score on ``TieBreak/criterion`` ranks first.
            case highestOnCriterion = "highest_on_criterion"
            /// The application received first ranks first.
            case earliestApplication = "earliest_application"
            /// Drawn by lot, witnessed and recorded.
            case drawOfLots = "draw_of_lots"
        }
    }

    /// The legal dates of the competition.
    public struct Timeline: Codable, Sendable, Hashable {
        /// Last moment for applicants' questions.
        public var questionsDeadline: Timestamp
        /// After this instant every application is rejected (no discretion).
        public var applicationDeadline: Timestamp
        public var dialogueStart: Timestamp
        public var dialogueEnd: Timestamp
        public init(questionsDeadline: Timestamp, applicationDeadline: Timestamp, dialogueStart: Timestamp, dialogueEnd: Timestamp) {
            self.questionsDeadline = questionsDeadline
            self.applicationDeadline = applicationDeadline
            self.dialogueStart = dialogueStart
            self.dialogueEnd = dialogueEnd
        }
    }
}

/// A published challenge was changed: a numbered, announced amendment (DESIGN.md §5, Intake).
///
/// Emitted by Intake when an officer amends a published challenge; the notice goes to
/// everyone who registered interest. Amendments are numbered from 1 in order.
public struct ChallengeAmended: EventBody {
    public static let eventType = EventType.challengeAmended

    public var number: Int
    /// Why the terms change.
    public var reason: String
    /// What changes, in brief, as announced.
    public var changes: String
    /// The new application deadline, when the amendment moves it.
    public var newApplicationDeadline: Timestamp?
    /// The new questions deadline, when the amendment moves it.
    public var newQuestionsDeadline: Timestamp?

    public init(number: Int, reason: String, changes: String, newApplicationDeadline: Timestamp? = nil, newQuestionsDeadline: Timestamp? = nil) {
        self.number = number
        self.reason = reason
        self.changes = changes
        self.newApplicationDeadline = newApplicationDeadline
        self.newQuestionsDeadline = newQuestionsDeadline
    }
}

/// A company registered interest in a challenge and so receives every amendment and answer.
///
/// Emitted by Intake. The record of registrations is what proves that an amendment reached
/// everyone who asked for it.
public struct InterestRegistered: EventBody {
    public static let eventType = EventType.interestRegistered

    public var orgNumber: OrgNumber
    public var companyName: String

    public init(orgNumber: OrgNumber, companyName: String) {
        self.orgNumber = orgNumber
        self.companyName = companyName
    }
}

/// An applicant's question was answered to everyone, without naming who asked.
///
/// Emitted by Intake when an officer publishes the answer. The question is the anonymised
/// text as published; numbers run from 1 per challenge.
public struct QuestionAnswered: EventBody {
    public static let eventType = EventType.questionAnswered

    public var number: Int
    public var question: String
    public var answer: String

    public init(number: Int, question: String, answer: String) {
        self.number = number
        self.question = question
        self.answer = answer
    }
}
