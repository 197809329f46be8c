/// An evaluator declared having no conflict of interest regarding one application.
///
/// Emitted by Evaluation. No access grant to the application's confidential part is issued to
/// an evaluator before this declaration (DESIGN.md §4, §5).
public struct ImpartialityDeclared: EventBody {
    public static let eventType = EventType.impartialityDeclared

    /// The evaluator's subject.
    public var evaluator: String
    public var application: ApplicationID

    public init(evaluator: String, application: ApplicationID) {
        self.evaluator = evaluator
        self.application = application
    }
}

/// An evaluator declared a conflict of interest and is recused from one application.
///
/// Emitted by Evaluation. The evaluator gets no access to that application and gives it no
/// scores.
public struct EvaluatorRecused: EventBody {
    public static let eventType = EventType.evaluatorRecused

    public var evaluator: String
    public var application: ApplicationID
    /// The ground for the conflict (forvaltningsloven § 6), as declared.
    public var ground: String

    public init(evaluator: String, application: ApplicationID, ground: String) {
        self.evaluator = evaluator
        self.application = application
        self.ground = ground
    }
}

/// The panel's scores are final: consensus per criterion, weighted totals and the ranking.
///
/// Emitted by Evaluation when the officer closes consensus. Points are integers in hundredths
/// of a point (725 is 7.25), so totals add up exactly and the record holds no floating point.
public struct ScoresFinalised: EventBody {
    public static let eventType = EventType.scoresFinalised

    /// The method applied: the one the challenge published.
    public var method: ScoringMethod
    /// One result per evaluated application.
    public var results: [ApplicationResult]
    /// Application ids, best first, ties already broken.
    public var ranking: [ApplicationID]
    /// The digest of every evaluator's final score sheet, so a sheet shown later can be
    /// proven to be the one that counted.
    public var sheets: [SheetDigest]?
    /// For the `draw_of_lots` tie-break: base64 of the random seed the tied applications were
    /// ordered by (by SHA-256 of seed ‖ application id, ascending).
    public var drawSeed: String?

    public init(method: ScoringMethod, results: [ApplicationResult], ranking: [ApplicationID], sheets: [SheetDigest]? = nil, drawSeed: String? = nil) {
        self.method = method
        self.results = results
        self.ranking = ranking
        self.sheets = sheets
        self.drawSeed = drawSeed
    }

    /// One final score sheet, by its digest (``ScoreSheet/digest``).
    public struct SheetDigest: Codable, Sendable, Hashable {
        public var application: ApplicationID
        public var evaluator: String
        public var digest: Digest
        public init(application: ApplicationID, evaluator: String, digest: Digest) {
            self.application = application
            self.evaluator = evaluator
            self.digest = digest
        }
    }

    /// How totals were computed.
    public struct ScoringMethod: Codable, Sendable, Hashable {
        public var priceFormula: ChallengePublished.PriceFormula
        public var normalisation: Bool
        public var tieBreak: ChallengePublished.TieBreak
        public init(priceFormula: ChallengePublished.PriceFormula, normalisation: Bool, tieBreak: ChallengePublished.TieBreak) {
            self.priceFormula = priceFormula
            self.normalisation = normalisation
            self.tieBreak = tieBreak
        }
    }

    /// An application's scores.
    public struct ApplicationResult: Codable, Sendable, Hashable {
        public var application: ApplicationID
        /// Consensus score per criterion.
        public var scores: [CriterionScore]
        /// Weighted total in hundredths of a point.
        public var totalHundredths: Int
        /// 1 for the best.
        public var rank: Int
        public init(application: ApplicationID, scores: [CriterionScore], totalHundredths: Int, rank: Int) {
            self.application = application
            self.scores = scores
            self.totalHundredths = totalHundredths
            self.rank = rank
        }
    }

    public struct CriterionScore: Codable, Sendable, Hashable {
        /// A ``ChallengePublished/Criterion/id``.
        public var criterion: String
        /// Points in hundredths.
        public var hundredths: Int
        public init(criterion: String, hundredths: Int) {
            self.criterion = criterion
            self.hundredths = hundredths
        }
    }
}

/// The shortlist: who goes on to dialogue, and why each other applicant does not.
///
/// Emitted by Evaluation when the officer decides the shortlist (the top N by the ranking,
/// N = the published number of places).
public struct ShortlistDecided: EventBody {
    public static let eventType = EventType.shortlistDecided

    public var places: Int
    public var shortlisted: [ApplicationID]
    /// Every evaluated application not shortlisted, with the reason given to it.
    public var notChosen: [NotChosen]

    public init(places: Int, shortlisted: [ApplicationID], notChosen: [NotChosen]) {
        self.places = places
        self.shortlisted = shortlisted
        self.notChosen = notChosen
    }

    public struct NotChosen: Codable, Sendable, Hashable {
        public var application: ApplicationID
        public var reason: String
        public init(application: ApplicationID, reason: String) {
            self.application = application
            self.reason = reason
        }
    }
}

/// An officer assigned evaluators to applications (DESIGN.md §5, Evaluation).
///
/// Emitted by Evaluation for each assignment; the panel as a whole is the union of them.
public struct PanelAssigned: EventBody {
    public static let eventType = EventType.panelAssigned

    /// The evaluators' subjects.
    public var evaluators: [String]
    /// The applications they were assigned to (all of the challenge's when it says so).
    public var applications: [ApplicationID]

    public init(evaluators: [String], applications: [ApplicationID]) {
        self.evaluators = evaluators
        self.applications = applications
    }
}

/// Where evaluators differed by more than the allowed spread, the officer recorded the agreed
/// score for one criterion of one application, with the reason.
///
/// Emitted by Evaluation. Points in hundredths.
public struct ConsensusRecorded: EventBody {
    public static let eventType = EventType.consensusRecorded

    public var application: ApplicationID
    public var criterion: String
    public var hundredths: Int
    public var reason: String

    public init(application: ApplicationID, criterion: String, hundredths: Int, reason: String) {
        self.application = application
        self.criterion = criterion
        self.hundredths = hundredths
        self.reason = reason
    }
}

/// An officer took an evaluator off an application before the evaluator's sheet was done
/// (unavailable, or a conflict the evaluator did not declare); any unfinished sheet was
/// discarded.
///
/// Emitted by Evaluation.
public struct EvaluatorRemoved: EventBody {
    public static let eventType = EventType.evaluatorRemoved

    public var evaluator: String
    public var application: ApplicationID
    public var reason: String

    public init(evaluator: String, application: ApplicationID, reason: String) {
        self.evaluator = evaluator
        self.application = application
        self.reason = reason
    }
}
