/// `tender.evaluation.v1.EvaluationService`: impartial panels, blind scoring, consensus, the
/// ranking by the published method and the shortlist (DESIGN.md §5, Evaluation).
///
/// Points: evaluators give whole points on the challenge's scale (e.g. 0–10); everything
/// computed — means, consensus, price points, totals — is in hundredths of a point (725 is
/// 7.25), integers throughout, so results add up exactly and the record holds no floating
/// point. The price criterion is never scored by evaluators: its points come from the
/// applications' requested budgets by the published formula.
public enum EvaluationAPI {
    public static let service = "tender.evaluation.v1.EvaluationService"

    /// An officer opens the evaluation of a challenge whose intake is closed: the frozen terms
    /// and the standing applications are pulled from Intake. Refused while intake is open.
    public static let openEvaluation = Method<OpenEvaluationRequest, Evaluation>(service: service, name: "OpenEvaluation", kind: .mutating, access: .roles([.officer]))
    /// The evaluation: terms, applications, status (officers, auditors, evaluators; services —
    /// Negotiation reads the shortlisted applications' organisations and Vault refs).
    public static let getEvaluation = Method<GetEvaluationRequest, Evaluation>(service: service, name: "GetEvaluation", kind: .idempotent, access: .roles([.officer, .auditor, .evaluator, .service]))
    /// An officer assigns evaluators to applications (all of them when none are named).
    public static let assignEvaluators = Method<AssignEvaluatorsRequest, Panel>(service: service, name: "AssignEvaluators", kind: .mutating, access: .roles([.officer]))
    /// An assigned evaluator declares having no conflict of interest for one application.
    public static let declareImpartiality = Method<DeclarationRequest, Declaration>(service: service, name: "DeclareImpartiality", kind: .mutating, access: .roles([.evaluator]))
    /// An assigned evaluator declares a conflict and is recused from that application.
    public static let declareConflict = Method<ConflictRequest, Declaration>(service: service, name: "DeclareConflict", kind: .mutating, access: .roles([.evaluator]))
    /// A Vault access grant for an application's confidential part, only to an assigned
    /// evaluator who declared impartiality for it, until the evaluation is finalised.
    /// Idempotent: every call checks afresh and issues a new grant, and no response (a grant)
    /// is ever stored for replay under an `idempotency-key`.
    public static let requestAccess = Method<RequestAccessRequest, AccessGrant>(service: service, name: "RequestAccess", kind: .idempotent, access: .roles([.evaluator]))
    /// An officer takes an evaluator off an application whose sheet is not done (the evaluator
    /// is unavailable, or a conflict came to light the evaluator did not declare): the
    /// assignment ends, any unfinished sheet is discarded, and the reason is recorded.
    public static let removeEvaluator = Method<RemoveEvaluatorRequest, Panel>(service: service, name: "RemoveEvaluator", kind: .mutating, access: .roles([.officer]))
    /// An evaluator's score sheet for one application: a score and a reason per scored
    /// criterion; editable until `done`.
    public static let submitScores = Method<SubmitScoresRequest, ScoreSheet>(service: service, name: "SubmitScores", kind: .mutating, access: .roles([.evaluator]))
    /// The caller's own score sheets.
    public static let getMyScores = Method<GetMyScoresRequest, GetMyScoresResponse>(service: service, name: "GetMyScores", kind: .idempotent, access: .roles([.evaluator]))
    /// Every sheet for one application — only once all its assigned, non-recused evaluators
    /// are done (blind scoring), to its evaluators and officers; to auditors after finalising.
    public static let getApplicationScores = Method<GetApplicationScoresRequest, ApplicationScores>(service: service, name: "GetApplicationScores", kind: .idempotent, access: .roles([.evaluator, .officer, .auditor]))
    /// Who has declared, been recused or is done with what; no scores.
    public static let getProgress = Method<GetProgressRequest, Progress>(service: service, name: "GetProgress", kind: .idempotent, access: .roles([.officer, .auditor, .evaluator]))
    /// An officer records the agreed score for one criterion of one application, where its
    /// evaluators differ by more than the configured spread.
    public static let recordConsensus = Method<RecordConsensusRequest, Consensus>(service: service, name: "RecordConsensus", kind: .mutating, access: .roles([.officer]))
    /// An officer finalises: totals, ranking, tie-breaks, the shortlist and a reason for every
    /// application not shortlisted. Nothing changes afterwards.
    public static let finalize = Method<FinalizeRequest, EvaluationResult>(service: service, name: "Finalize", kind: .mutating, access: .roles([.officer]))
    /// The result with per-criterion totals and inter-rater agreement (officers, auditors;
    /// services — Negotiation opens its dialogues from the shortlist).
    public static let getResult = Method<GetResultRequest, EvaluationResult>(service: service, name: "GetResult", kind: .idempotent, access: .roles([.officer, .auditor, .service]))
    /// A startup's own feedback after finalising; of others only the shortlist's names.
    public static let getFeedback = Method<GetFeedbackRequest, Feedback>(service: service, name: "GetFeedback", kind: .idempotent, access: .roles([.startup]))
}

public enum EvaluationStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case open
    case finalised
}

/// An application as Evaluation holds it: the public part from Intake and the Vault ref.
public struct EvaluatedApplication: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var orgNumber: OrgNumber
    public var companyName: String
    /// The price evaluated (Pe): the application's requested budget.
    public var price: Money
    public var vaultRef: VaultRef
    /// Intake's first receipt time (the `earliest_application` tie-break).
    public var receivedAt: Timestamp

    public init(application: ApplicationID, orgNumber: OrgNumber, companyName: String, price: Money, vaultRef: VaultRef, receivedAt: Timestamp) {
        self.application = application
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.price = price
        self.vaultRef = vaultRef
        self.receivedAt = receivedAt
    }
}

/// What the evaluation applies: exactly the terms the challenge published.
public struct EvaluationTerms: Codable, Sendable, Hashable {
    public var criteria: [Criterion]
    public var scale: ScoringScale
    public var priceFormula: PriceFormula
    public var normalisation: Bool
    public var tieBreak: TieBreak
    public var places: Int

    public init(criteria: [Criterion], scale: ScoringScale, priceFormula: PriceFormula, normalisation: Bool, tieBreak: TieBreak, places: Int) {
        self.criteria = criteria
        self.scale = scale
        self.priceFormula = priceFormula
        self.normalisation = normalisation
        self.tieBreak = tieBreak
        self.places = places
    }
}

public struct Evaluation: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var status: EvaluationStatus
    public var terms: EvaluationTerms
    public var applications: [EvaluatedApplication]
    /// Evaluators whose scores for a criterion differ by more than this (hundredths) need a
    /// recorded consensus for it.
    public var consensusSpreadHundredths: Int
    public var openedAt: Timestamp
    public var finalisedAt: Timestamp?

    public init(challenge: ChallengeID, status: EvaluationStatus, terms: EvaluationTerms, applications: [EvaluatedApplication], consensusSpreadHundredths: Int, openedAt: Timestamp, finalisedAt: Timestamp?) {
        self.challenge = challenge
        self.status = status
        self.terms = terms
        self.applications = applications
        self.consensusSpreadHundredths = consensusSpreadHundredths
        self.openedAt = openedAt
        self.finalisedAt = finalisedAt
    }
}

public struct OpenEvaluationRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct GetEvaluationRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct AssignEvaluatorsRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// Evaluators' token subjects.
    public var evaluators: [String]
    /// The applications they are assigned to; omitted: every application.
    public var applications: [ApplicationID]?

    public init(challenge: ChallengeID, evaluators: [String], applications: [ApplicationID]? = nil) {
        self.challenge = challenge
        self.evaluators = evaluators
        self.applications = applications
    }
}

public struct PanelMember: Codable, Sendable, Hashable {
    public var evaluator: String
    public var applications: [ApplicationID]
    public init(evaluator: String, applications: [ApplicationID]) {
        self.evaluator = evaluator
        self.applications = applications
    }
}

/// The whole panel after an assignment.
public struct Panel: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var members: [PanelMember]
    public init(challenge: ChallengeID, members: [PanelMember]) {
        self.challenge = challenge
        self.members = members
    }
}

public struct RemoveEvaluatorRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var evaluator: String
    public var application: ApplicationID
    /// Why (1–500 characters), recorded.
    public var reason: String
    public init(challenge: ChallengeID, evaluator: String, application: ApplicationID, reason: String) {
        self.challenge = challenge
        self.evaluator = evaluator
        self.application = application
        self.reason = reason
    }
}

public struct DeclarationRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public init(challenge: ChallengeID, application: ApplicationID) {
        self.challenge = challenge
        self.application = application
    }
}

public struct ConflictRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    /// The ground (forvaltningsloven § 6), e.g. "former employee of the applicant".
    public var ground: String
    public init(challenge: ChallengeID, application: ApplicationID, ground: String) {
        self.challenge = challenge
        self.application = application
        self.ground = ground
    }
}

public enum DeclarationKind: String, Codable, Sendable, Hashable, CaseIterable {
    case impartial
    case conflict
}

public struct Declaration: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public var evaluator: String
    public var kind: DeclarationKind
    public var ground: String?
    public var declaredAt: Timestamp
    public init(challenge: ChallengeID, application: ApplicationID, evaluator: String, kind: DeclarationKind, ground: String?, declaredAt: Timestamp) {
        self.challenge = challenge
        self.application = application
        self.evaluator = evaluator
        self.kind = kind
        self.ground = ground
        self.declaredAt = declaredAt
    }
}

public struct RequestAccessRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public init(challenge: ChallengeID, application: ApplicationID) {
        self.challenge = challenge
        self.application = application
    }
}

/// One criterion's score by one evaluator.
public struct CriterionScoreInput: Codable, Sendable, Hashable {
    /// A non-price ``Criterion/id`` of the challenge.
    public var criterion: String
    /// Whole points on the challenge's scale.
    public var points: Int
    /// Why (1–2000 characters): what the startup will read as feedback.
    public var reason: String
    public init(criterion: String, points: Int, reason: String) {
        self.criterion = criterion
        self.points = points
        self.reason = reason
    }
}

public struct SubmitScoresRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    /// A score for every non-price criterion.
    public var scores: [CriterionScoreInput]
    /// Marks the sheet done: it cannot change afterwards.
    public var done: Bool
    public init(challenge: ChallengeID, application: ApplicationID, scores: [CriterionScoreInput], done: Bool) {
        self.challenge = challenge
        self.application = application
        self.scores = scores
        self.done = done
    }
}

public struct ScoreSheet: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public var evaluator: String
    public var scores: [CriterionScoreInput]
    public var done: Bool
    /// Revisions from 1; each SubmitScores before done adds one.
    public var revision: Int
    public var updatedAt: Timestamp
    /// SHA-256 of the canonical JSON of {application, evaluator, scores} (recorded when
    /// finalised, so a sheet can be proven unchanged).
    public var digest: Digest
    public init(challenge: ChallengeID, application: ApplicationID, evaluator: String, scores: [CriterionScoreInput], done: Bool, revision: Int, updatedAt: Timestamp, digest: Digest) {
        self.challenge = challenge
        self.application = application
        self.evaluator = evaluator
        self.scores = scores
        self.done = done
        self.revision = revision
        self.updatedAt = updatedAt
        self.digest = digest
    }
}

public struct GetMyScoresRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// Only this application's sheet.
    public var application: ApplicationID?
    public init(challenge: ChallengeID, application: ApplicationID? = nil) {
        self.challenge = challenge
        self.application = application
    }
}

public struct GetMyScoresResponse: Codable, Sendable, Hashable {
    public var sheets: [ScoreSheet]
    public init(sheets: [ScoreSheet]) { self.sheets = sheets }
}

public struct GetApplicationScoresRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public init(challenge: ChallengeID, application: ApplicationID) {
        self.challenge = challenge
        self.application = application
    }
}

public struct ApplicationScores: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var sheets: [ScoreSheet]
    /// Criteria whose evaluators differ by more than the spread: they need a consensus.
    public var needingConsensus: [String]
    public var consensus: [Consensus]
    public init(application: ApplicationID, sheets: [ScoreSheet], needingConsensus: [String], consensus: [Consensus]) {
        self.application = application
        self.sheets = sheets
        self.needingConsensus = needingConsensus
        self.consensus = consensus
    }
}

public struct GetProgressRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public enum EvaluatorState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Assigned, nothing declared yet.
    case assigned
    case impartial
    case recused
    /// Impartial and has a sheet not yet done.
    case scoring
    case done
}

public struct ApplicationProgress: Codable, Sendable, Hashable {
    public var application: ApplicationID
    /// Evaluator → state (evaluators removed from the application are not listed).
    public var evaluators: [String: EvaluatorState]
    /// Every assigned evaluator not recused or removed is done, at least two are, and consensus
    /// is recorded wherever needed.
    public var ready: Bool
    public init(application: ApplicationID, evaluators: [String: EvaluatorState], ready: Bool) {
        self.application = application
        self.evaluators = evaluators
        self.ready = ready
    }
}

public struct Progress: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var applications: [ApplicationProgress]
    public init(challenge: ChallengeID, applications: [ApplicationProgress]) {
        self.challenge = challenge
        self.applications = applications
    }
}

public struct RecordConsensusRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public var criterion: String
    /// The agreed score in hundredths of a point, on the scale.
    public var hundredths: Int
    public var reason: String
    public init(challenge: ChallengeID, application: ApplicationID, criterion: String, hundredths: Int, reason: String) {
        self.challenge = challenge
        self.application = application
        self.criterion = criterion
        self.hundredths = hundredths
        self.reason = reason
    }
}

public struct Consensus: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var criterion: String
    public var hundredths: Int
    public var reason: String
    public var recordedBy: String
    public var recordedAt: Timestamp
    public init(application: ApplicationID, criterion: String, hundredths: Int, reason: String, recordedBy: String, recordedAt: Timestamp) {
        self.application = application
        self.criterion = criterion
        self.hundredths = hundredths
        self.reason = reason
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

public struct FinalizeRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct GetResultRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

/// One application's place in the result.
public struct RankedApplication: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var companyName: String
    /// 1 for the best; ties already broken.
    public var rank: Int
    /// Points per criterion (hundredths): consensus or mean, price by the formula, after
    /// normalisation when the challenge asked for it.
    public var points: [String: Int]
    /// Weighted total in hundredths of a point.
    public var totalHundredths: Int
    public var shortlisted: Bool
    /// For every application not shortlisted.
    public var reason: String?
    /// Why it ranks above an application with the same total, when a tie was broken.
    public var tieBreak: String?
    public init(application: ApplicationID, companyName: String, rank: Int, points: [String: Int], totalHundredths: Int, shortlisted: Bool, reason: String?, tieBreak: String?) {
        self.application = application
        self.companyName = companyName
        self.rank = rank
        self.points = points
        self.totalHundredths = totalHundredths
        self.shortlisted = shortlisted
        self.reason = reason
        self.tieBreak = tieBreak
    }
}

/// Kendall's coefficient of concordance W (0: no agreement, 1: full agreement) among the
/// evaluators, with the set it was computed on.
public struct Agreement: Codable, Sendable, Hashable {
    /// A criterion id, or `overall` (the evaluators' weighted totals of the scored criteria).
    public var criterion: String
    /// W in ten-thousandths (8125 is 0.8125).
    public var kendallsWTenThousandths: Int
    /// Raters (m) and applications (n) in the complete block it was computed on.
    public var evaluators: Int
    public var applications: Int
    public init(criterion: String, kendallsWTenThousandths: Int, evaluators: Int, applications: Int) {
        self.criterion = criterion
        self.kendallsWTenThousandths = kendallsWTenThousandths
        self.evaluators = evaluators
        self.applications = applications
    }
}

/// A large disagreement between evaluators.
public struct Disagreement: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var criterion: String
    /// Highest minus lowest score, in hundredths.
    public var spreadHundredths: Int
    /// Evaluator → whole points.
    public var scores: [String: Int]
    public init(application: ApplicationID, criterion: String, spreadHundredths: Int, scores: [String: Int]) {
        self.application = application
        self.criterion = criterion
        self.spreadHundredths = spreadHundredths
        self.scores = scores
    }
}

public struct EvaluationResult: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var terms: EvaluationTerms
    /// Best first.
    public var ranking: [RankedApplication]
    public var shortlist: [ApplicationID]
    public var agreement: [Agreement]
    /// The largest, worst first (at most 10).
    public var disagreements: [Disagreement]
    /// For `draw_of_lots`: the recorded random seed the tied applications were ordered by.
    public var drawSeed: String?
    public var finalisedAt: Timestamp
    public init(challenge: ChallengeID, terms: EvaluationTerms, ranking: [RankedApplication], shortlist: [ApplicationID], agreement: [Agreement], disagreements: [Disagreement], drawSeed: String?, finalisedAt: Timestamp) {
        self.challenge = challenge
        self.terms = terms
        self.ranking = ranking
        self.shortlist = shortlist
        self.agreement = agreement
        self.disagreements = disagreements
        self.drawSeed = drawSeed
        self.finalisedAt = finalisedAt
    }
}

public struct GetFeedbackRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

/// One criterion of a startup's feedback.
public struct CriterionFeedback: Codable, Sendable, Hashable {
    public var criterion: String
    public var name: String
    public var weight: Int
    /// The points that counted (hundredths).
    public var hundredths: Int
    /// Each evaluator's reason, without naming the evaluator: in byte order of the text, so the
    /// order says nothing about who wrote which.
    public var reasons: [String]
    /// The consensus reason, when one was recorded.
    public var consensusReason: String?
    public init(criterion: String, name: String, weight: Int, hundredths: Int, reasons: [String], consensusReason: String?) {
        self.criterion = criterion
        self.name = name
        self.weight = weight
        self.hundredths = hundredths
        self.reasons = reasons
        self.consensusReason = consensusReason
    }
}

public struct Feedback: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var application: ApplicationID
    public var criteria: [CriterionFeedback]
    public var totalHundredths: Int
    public var rank: Int
    public var applications: Int
    public var shortlisted: Bool
    /// Why not, when not shortlisted.
    public var reason: String?
    /// The shortlisted companies' names — nothing else about other startups.
    public var shortlist: [String]
    public init(challenge: ChallengeID, application: ApplicationID, criteria: [CriterionFeedback], totalHundredths: Int, rank: Int, applications: Int, shortlisted: Bool, reason: String?, shortlist: [String]) {
        self.challenge = challenge
        self.application = application
        self.criteria = criteria
        self.totalHundredths = totalHundredths
        self.rank = rank
        self.applications = applications
        self.shortlisted = shortlisted
        self.reason = reason
        self.shortlist = shortlist
    }
}
