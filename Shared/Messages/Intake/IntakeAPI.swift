/// `tender.intake.v1.IntakeService`: challenges, interest, questions and answers, and the
/// public part of applications, with the deadlines as legal facts (DESIGN.md §5, Intake).
///
/// Confidential material never passes through Intake: a startup deposits it in the Vault
/// and hands Intake only the ``DepositReceipt``, which Intake verifies with the Vault's key.
public enum IntakeAPI {
    public static let service = "tender.intake.v1.IntakeService"

    // Challenges
    /// An officer creates a draft challenge.
    public static let createChallenge = Method<CreateChallengeRequest, Challenge>(service: service, name: "CreateChallenge", kind: .mutating, access: .roles([.officer]))
    /// An officer replaces a draft's terms; refused once published.
    public static let updateDraft = Method<UpdateDraftRequest, Challenge>(service: service, name: "UpdateDraft", kind: .mutating, access: .roles([.officer]))
    /// Publishing freezes the terms (criteria, weights summing to 100, scale, price formula,
    /// normalisation, tie-break, places, timeline).
    public static let publishChallenge = Method<PublishChallengeRequest, Challenge>(service: service, name: "PublishChallenge", kind: .mutating, access: .roles([.officer]))
    /// A numbered, reasoned amendment to a published challenge, announced to everyone who
    /// registered interest; may extend the deadlines.
    public static let amendChallenge = Method<AmendChallengeRequest, Amendment>(service: service, name: "AmendChallenge", kind: .mutating, access: .roles([.officer]))
    /// A published challenge for anyone; a draft for officers only.
    public static let getChallenge = Method<GetChallengeRequest, Challenge>(service: service, name: "GetChallenge", kind: .idempotent, access: .everyone)
    /// Published challenges for anyone; drafts too for officers.
    public static let listChallenges = Method<ListChallengesRequest, ListChallengesResponse>(service: service, name: "ListChallenges", kind: .idempotent, access: .everyone)

    // Interest, questions, notices
    /// A startup registers interest and from then on receives every amendment.
    public static let registerInterest = Method<RegisterInterestRequest, Interest>(service: service, name: "RegisterInterest", kind: .mutating, access: .roles([.startup]))
    /// A startup asks a question, until the questions deadline.
    public static let askQuestion = Method<AskQuestionRequest, Question>(service: service, name: "AskQuestion", kind: .mutating, access: .roles([.startup]))
    /// An officer answers; the answer is published to all with the asker anonymised.
    public static let answerQuestion = Method<AnswerQuestionRequest, Question>(service: service, name: "AnswerQuestion", kind: .mutating, access: .roles([.officer]))
    /// Answered questions for anyone (no asker); officers also see unanswered ones, a startup
    /// also its own unanswered ones.
    public static let listQuestions = Method<ListQuestionsRequest, ListQuestionsResponse>(service: service, name: "ListQuestions", kind: .idempotent, access: .everyone)
    /// The amendments announced to the calling startup.
    public static let listNotices = Method<ListNoticesRequest, ListNoticesResponse>(service: service, name: "ListNotices", kind: .idempotent, access: .roles([.startup]))

    // Applications
    /// A startup applies (one per organisation per challenge), before the deadline.
    public static let submitApplication = Method<SubmitApplicationRequest, ApplicationReceipt>(service: service, name: "SubmitApplication", kind: .mutating, access: .roles([.startup]))
    /// A startup replaces its application, before the deadline; a new versioned receipt.
    public static let amendApplication = Method<AmendApplicationRequest, ApplicationReceipt>(service: service, name: "AmendApplication", kind: .mutating, access: .roles([.startup]))
    /// A startup withdraws its application, before the deadline.
    public static let withdrawApplication = Method<WithdrawApplicationRequest, Application>(service: service, name: "WithdrawApplication", kind: .mutating, access: .roles([.startup]))
    /// One application: its own for a startup; any for officers, auditors and services.
    public static let getApplication = Method<GetApplicationRequest, Application>(service: service, name: "GetApplication", kind: .idempotent, access: .roles([.startup, .officer, .auditor, .service]))
    /// A challenge's applications: all for officers, auditors and services; a startup gets
    /// only its own.
    public static let listApplications = Method<ListApplicationsRequest, ListApplicationsResponse>(service: service, name: "ListApplications", kind: .idempotent, access: .roles([.startup, .officer, .auditor, .service]))
    /// Closes intake once the deadline has passed: the set of applications becomes final.
    public static let closeIntake = Method<CloseIntakeRequest, IntakeSummary>(service: service, name: "CloseIntake", kind: .mutating, access: .roles([.officer]))
}

public typealias Buyer = ChallengePublished.Buyer
public typealias Criterion = ChallengePublished.Criterion
public typealias ScoringScale = ChallengePublished.ScoringScale
public typealias PriceFormula = ChallengePublished.PriceFormula
public typealias TieBreak = ChallengePublished.TieBreak
public typealias Timeline = ChallengePublished.Timeline

/// What a challenge announces; frozen when published (DESIGN.md §5).
public struct ChallengeTerms: Codable, Sendable, Hashable {
    public var title: String
    /// The problem in brief (≤ 500 characters), as listed.
    public var summary: String
    /// The full problem statement.
    public var problemStatement: String
    public var buyer: Buyer
    /// Weights are whole percentages that must sum to 100 to publish.
    public var criteria: [Criterion]
    public var scale: ScoringScale
    /// `none` unless a criterion is price; then `linear` or `proportional`.
    public var priceFormula: PriceFormula
    public var normalisation: Bool
    public var tieBreak: TieBreak
    /// How many go on to dialogue.
    public var places: Int
    public var timeline: Timeline
    public var budget: Money?

    public init(title: String, summary: String, problemStatement: String, buyer: Buyer, criteria: [Criterion], scale: ScoringScale, priceFormula: PriceFormula, normalisation: Bool, tieBreak: TieBreak, places: Int, timeline: Timeline, budget: Money? = nil) {
        self.title = title
        self.summary = summary
        self.problemStatement = problemStatement
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
}

public enum ChallengeStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case draft
    /// Published and open for interest, questions and applications (until the deadline).
    case published
    /// Intake closed: the set of applications is final.
    case closed
}

public struct Challenge: Codable, Sendable, Hashable {
    public var id: ChallengeID
    public var status: ChallengeStatus
    /// Draft revision, from 1; frozen at publication.
    public var revision: Int
    /// The terms as published (or the draft's current terms).
    public var terms: ChallengeTerms
    /// The timeline in force: the published one with every amendment applied.
    public var timeline: Timeline
    public var amendments: [Amendment]
    public var publishedAt: Timestamp?
    public var closedAt: Timestamp?

    public init(id: ChallengeID, status: ChallengeStatus, revision: Int, terms: ChallengeTerms, timeline: Timeline, amendments: [Amendment], publishedAt: Timestamp?, closedAt: Timestamp?) {
        self.id = id
        self.status = status
        self.revision = revision
        self.terms = terms
        self.timeline = timeline
        self.amendments = amendments
        self.publishedAt = publishedAt
        self.closedAt = closedAt
    }
}

public struct CreateChallengeRequest: Codable, Sendable {
    /// A readable id (e.g. `smart-mobility-2026`); a random one when omitted.
    public var id: ChallengeID?
    public var terms: ChallengeTerms
    public init(id: ChallengeID? = nil, terms: ChallengeTerms) {
        self.id = id
        self.terms = terms
    }
}

public struct UpdateDraftRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// The revision being replaced; a stale one is refused with `aborted`.
    public var revision: Int
    public var terms: ChallengeTerms
    public init(challenge: ChallengeID, revision: Int, terms: ChallengeTerms) {
        self.challenge = challenge
        self.revision = revision
        self.terms = terms
    }
}

public struct PublishChallengeRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct AmendChallengeRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var reason: String
    /// What changes, as announced.
    public var changes: String
    /// A later application deadline (an amendment may extend, never shorten).
    public var newApplicationDeadline: Timestamp?
    /// A later questions deadline (not after the application deadline in force).
    public var newQuestionsDeadline: Timestamp?

    public init(challenge: ChallengeID, reason: String, changes: String, newApplicationDeadline: Timestamp? = nil, newQuestionsDeadline: Timestamp? = nil) {
        self.challenge = challenge
        self.reason = reason
        self.changes = changes
        self.newApplicationDeadline = newApplicationDeadline
        self.newQuestionsDeadline = newQuestionsDeadline
    }
}

public struct Amendment: Codable, Sendable, Hashable {
    /// From 1, in order.
    public var number: Int
    public var reason: String
    public var changes: String
    public var newApplicationDeadline: Timestamp?
    public var newQuestionsDeadline: Timestamp?
    public var publishedAt: Timestamp
    /// How many registered startups it was announced to.
    public var notified: Int

    public init(number: Int, reason: String, changes: String, newApplicationDeadline: Timestamp?, newQuestionsDeadline: Timestamp?, publishedAt: Timestamp, notified: Int) {
        self.number = number
        self.reason = reason
        self.changes = changes
        self.newApplicationDeadline = newApplicationDeadline
        self.newQuestionsDeadline = newQuestionsDeadline
        self.publishedAt = publishedAt
        self.notified = notified
    }
}

public struct GetChallengeRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct ListChallengesRequest: Codable, Sendable {
    /// Only challenges in this status.
    public var status: ChallengeStatus?
    public init(status: ChallengeStatus? = nil) { self.status = status }
}

public struct ListChallengesResponse: Codable, Sendable, Hashable {
    public var challenges: [Challenge]
    public init(challenges: [Challenge]) { self.challenges = challenges }
}

public struct Contact: Codable, Sendable, Hashable {
    public var name: String
    public var email: String
    public var phone: String?
    public init(name: String, email: String, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

public struct RegisterInterestRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var companyName: String
    public var contact: Contact
    public init(challenge: ChallengeID, companyName: String, contact: Contact) {
        self.challenge = challenge
        self.companyName = companyName
        self.contact = contact
    }
}

public struct Interest: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var orgNumber: OrgNumber
    public var companyName: String
    public var registeredAt: Timestamp
    public init(challenge: ChallengeID, orgNumber: OrgNumber, companyName: String, registeredAt: Timestamp) {
        self.challenge = challenge
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.registeredAt = registeredAt
    }
}

public struct AskQuestionRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var question: String
    public init(challenge: ChallengeID, question: String) {
        self.challenge = challenge
        self.question = question
    }
}

public struct AnswerQuestionRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// The id of the question (``Question/id``).
    public var questionID: String
    /// The question as it will be published: the officer removes anything that identifies
    /// the asker. Defaults to the asked text.
    public var publishedQuestion: String?
    public var answer: String
    public init(challenge: ChallengeID, questionID: String, publishedQuestion: String? = nil, answer: String) {
        self.challenge = challenge
        self.questionID = questionID
        self.publishedQuestion = publishedQuestion
        self.answer = answer
    }
}

/// A question as callers see it: never naming who asked.
public struct Question: Codable, Sendable, Hashable {
    /// The question's id (for answering).
    public var id: String
    public var challenge: ChallengeID
    /// Published number, from 1 per challenge, once answered.
    public var number: Int?
    public var question: String
    public var answer: String?
    public var askedAt: Timestamp
    public var answeredAt: Timestamp?
    public init(id: String, challenge: ChallengeID, number: Int?, question: String, answer: String?, askedAt: Timestamp, answeredAt: Timestamp?) {
        self.id = id
        self.challenge = challenge
        self.number = number
        self.question = question
        self.answer = answer
        self.askedAt = askedAt
        self.answeredAt = answeredAt
    }
}

public struct ListQuestionsRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct ListQuestionsResponse: Codable, Sendable, Hashable {
    /// Answered questions in published order, then (for officers, or the asker) unanswered ones.
    public var questions: [Question]
    public init(questions: [Question]) { self.questions = questions }
}

public struct ListNoticesRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct Notice: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var amendment: Amendment
    public var notifiedAt: Timestamp
    public init(challenge: ChallengeID, amendment: Amendment, notifiedAt: Timestamp) {
        self.challenge = challenge
        self.amendment = amendment
        self.notifiedAt = notifiedAt
    }
}

public struct ListNoticesResponse: Codable, Sendable, Hashable {
    public var notices: [Notice]
    public init(notices: [Notice]) { self.notices = notices }
}

/// The public part of an application. The organisation number is the caller's `org` claim.
public struct ApplicationPublicPart: Codable, Sendable, Hashable {
    public var companyName: String
    public var contact: Contact
    /// A short public summary of the proposed solution (≤ 2000 characters); details belong in
    /// the Vault.
    public var solutionSummary: String
    public var requestedBudget: Money
    public init(companyName: String, contact: Contact, solutionSummary: String, requestedBudget: Money) {
        self.companyName = companyName
        self.contact = contact
        self.solutionSummary = solutionSummary
        self.requestedBudget = requestedBudget
    }
}

public struct SubmitApplicationRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var application: ApplicationPublicPart
    /// The Vault's receipt for the confidential part (deposited by this startup for this
    /// challenge).
    public var confidential: DepositReceipt
    public init(challenge: ChallengeID, application: ApplicationPublicPart, confidential: DepositReceipt) {
        self.challenge = challenge
        self.application = application
        self.confidential = confidential
    }
}

public struct AmendApplicationRequest: Codable, Sendable {
    public var application: ApplicationID
    public var publicPart: ApplicationPublicPart
    /// A new deposit receipt; omitted, the confidential part stays as it was.
    public var confidential: DepositReceipt?
    public init(application: ApplicationID, publicPart: ApplicationPublicPart, confidential: DepositReceipt? = nil) {
        self.application = application
        self.publicPart = publicPart
        self.confidential = confidential
    }
}

public struct WithdrawApplicationRequest: Codable, Sendable {
    public var application: ApplicationID
    public var reason: String?
    public init(application: ApplicationID, reason: String? = nil) {
        self.application = application
        self.reason = reason
    }
}

/// The server's receipt for a submission or amendment: its time is the server's, and
/// `digest` is SHA-256 over the canonical JSON of what was received (the public part and the
/// confidential commitment), so either side can prove later what was submitted when.
public struct ApplicationReceipt: Codable, Sendable, Hashable {
    public var application: ApplicationID
    public var challenge: ChallengeID
    public var orgNumber: OrgNumber
    public var version: Int
    public var receivedAt: Timestamp
    public var digest: Digest
    public var commitment: SaltedDigest
    public var vaultRef: VaultRef
    public init(application: ApplicationID, challenge: ChallengeID, orgNumber: OrgNumber, version: Int, receivedAt: Timestamp, digest: Digest, commitment: SaltedDigest, vaultRef: VaultRef) {
        self.application = application
        self.challenge = challenge
        self.orgNumber = orgNumber
        self.version = version
        self.receivedAt = receivedAt
        self.digest = digest
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

public enum ApplicationStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case received
    case withdrawn
}

public struct Application: Codable, Sendable, Hashable {
    public var id: ApplicationID
    public var challenge: ChallengeID
    public var orgNumber: OrgNumber
    public var status: ApplicationStatus
    public var publicPart: ApplicationPublicPart
    public var version: Int
    public var commitment: SaltedDigest
    public var vaultRef: VaultRef
    /// The first receipt's time (ties may be broken by it).
    public var receivedAt: Timestamp
    public var updatedAt: Timestamp
    public var digest: Digest
    public var withdrawnAt: Timestamp?
    public init(id: ApplicationID, challenge: ChallengeID, orgNumber: OrgNumber, status: ApplicationStatus, publicPart: ApplicationPublicPart, version: Int, commitment: SaltedDigest, vaultRef: VaultRef, receivedAt: Timestamp, updatedAt: Timestamp, digest: Digest, withdrawnAt: Timestamp?) {
        self.id = id
        self.challenge = challenge
        self.orgNumber = orgNumber
        self.status = status
        self.publicPart = publicPart
        self.version = version
        self.commitment = commitment
        self.vaultRef = vaultRef
        self.receivedAt = receivedAt
        self.updatedAt = updatedAt
        self.digest = digest
        self.withdrawnAt = withdrawnAt
    }
}

public struct GetApplicationRequest: Codable, Sendable {
    public var application: ApplicationID
    public init(application: ApplicationID) { self.application = application }
}

public struct ListApplicationsRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// Include withdrawn applications (default false).
    public var includeWithdrawn: Bool?
    public init(challenge: ChallengeID, includeWithdrawn: Bool? = nil) {
        self.challenge = challenge
        self.includeWithdrawn = includeWithdrawn
    }
}

public struct ListApplicationsResponse: Codable, Sendable, Hashable {
    /// In order of first receipt.
    public var applications: [Application]
    public init(applications: [Application]) { self.applications = applications }
}

public struct CloseIntakeRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

public struct IntakeSummary: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var deadline: Timestamp
    public var applications: Int
    public var withdrawn: Int
    public var rejectedLate: Int
    public var closedAt: Timestamp
    public init(challenge: ChallengeID, deadline: Timestamp, applications: Int, withdrawn: Int, rejectedLate: Int, closedAt: Timestamp) {
        self.challenge = challenge
        self.deadline = deadline
        self.applications = applications
        self.withdrawn = withdrawn
        self.rejectedLate = rejectedLate
        self.closedAt = closedAt
    }
}
