/// `tender.negotiation.v1.NegotiationService`: the confidential dialogue with each shortlisted
/// startup, equal-treatment notices, pilots, the award, the standstill period and the
/// agreements (DESIGN.md §5, Negotiation).
///
/// Content — messages, meeting minutes, offers, pilot reports — lives in the Vault, deposited
/// by its author for the dialogue's startup (the Vault's owner of everything in a dialogue).
/// Negotiation holds only refs, commitments and metadata, checks every deposit receipt with
/// the Vault's key, and issues Vault access grants (issuer `negotiation`) only to the
/// dialogue's participants: its startup, its negotiators and the officers.
///
/// A dialogue's material can never reach another dialogue: each dialogue accepts only
/// receipts whose owner is its own startup, a clarification carries text and nothing else,
/// and a grant names only a ref of the dialogue it was asked for.
public enum NegotiationAPI {
    public static let service = "tender.negotiation.v1.NegotiationService"

    // Dialogues
    /// An officer opens one dialogue per shortlisted application of a finalised evaluation
    /// (pulled from Evaluation over RPC) and assigns negotiators to all of them. Opening
    /// again returns the dialogues as they stand.
    public static let openDialogues = Method<OpenDialoguesRequest, DialogueList>(service: service, name: "OpenDialogues", kind: .mutating, access: .roles([.officer]))
    /// An officer replaces a dialogue's negotiators.
    public static let assignNegotiators = Method<AssignNegotiatorsRequest, Dialogue>(service: service, name: "AssignNegotiators", kind: .mutating, access: .roles([.officer]))
    /// One dialogue: officers and auditors any, a negotiator those assigned, a startup only
    /// its own.
    public static let getDialogue = Method<GetDialogueRequest, Dialogue>(service: service, name: "GetDialogue", kind: .idempotent, access: .roles([.officer, .auditor, .negotiator, .startup]))
    /// A challenge's dialogues, awards and complaints, filtered as ``getDialogue`` (a startup:
    /// its own dialogue and the award notices; no complaints).
    public static let listDialogues = Method<ListDialoguesRequest, DialogueList>(service: service, name: "ListDialogues", kind: .idempotent, access: .roles([.officer, .auditor, .negotiator, .startup]))

    // Rounds, meetings, messages
    /// Schedules the next round of a dialogue: when it meets and, optionally, the deadline for
    /// offers in it.
    public static let scheduleRound = Method<ScheduleRoundRequest, Round>(service: service, name: "ScheduleRound", kind: .mutating, access: .roles([.officer, .negotiator]))
    /// Records a round's meeting: when it was held, who attended, and the minutes (deposited in
    /// the Vault by the caller for the dialogue's startup).
    public static let recordMeeting = Method<RecordMeetingRequest, Round>(service: service, name: "RecordMeeting", kind: .mutating, access: .roles([.officer, .negotiator]))
    /// A message between the municipality and the dialogue's startup; its content is a Vault
    /// deposit made by the sender.
    public static let sendMessage = Method<SendMessageRequest, DialogueMessage>(service: service, name: "SendMessage", kind: .mutating, access: .roles([.officer, .negotiator, .startup]))
    /// A Vault access grant for one ref of one dialogue — its application, a message, minutes,
    /// an offer or a pilot report — only to that dialogue's participants. Idempotent like
    /// Evaluation's: every call checks afresh and issues a new grant; none is stored for replay.
    public static let requestAccess = Method<DialogueAccessRequest, AccessGrant>(service: service, name: "RequestAccess", kind: .idempotent, access: .roles([.officer, .negotiator, .startup]))

    // Equal treatment
    /// Information that concerns the competition, sent to every dialogue still running at
    /// the same moment with identical text. Text only: a request with any other field (a ref,
    /// an attachment) is refused.
    public static let sendClarification = Method<SendClarificationRequest, Clarification>(service: service, name: "SendClarification", kind: .mutating, access: .roles([.officer]))

    // Offers and pilots
    /// The dialogue's startup submits a new version of its offer (a Vault deposit, field
    /// `offer`). Versions count from 1; the latest submitted by a round's offer deadline is the
    /// one that counts for that round.
    public static let submitOffer = Method<SubmitOfferRequest, Offer>(service: service, name: "SubmitOffer", kind: .mutating, access: .roles([.startup]))
    /// Agrees a pilot in a dialogue: hypothesis, success metrics with thresholds and units,
    /// duration, budget cap.
    public static let definePilot = Method<DefinePilotRequest, Pilot>(service: service, name: "DefinePilot", kind: .mutating, access: .roles([.officer, .negotiator]))
    /// Reports a pilot's results: a measured value per metric (compared with its threshold and
    /// not kept — only met / not met is) and the full report as a Vault deposit.
    public static let reportPilotResult = Method<ReportPilotResultRequest, Pilot>(service: service, name: "ReportPilotResult", kind: .mutating, access: .roles([.officer, .negotiator, .startup]))
    /// An officer decides go / no-go on a reported pilot. The decision follows from the
    /// thresholds (go when every metric met its threshold); deciding otherwise is an override
    /// and needs a written reason.
    public static let decidePilot = Method<DecidePilotRequest, Pilot>(service: service, name: "DecidePilot", kind: .mutating, access: .roles([.officer]))

    // Award, standstill, agreements
    /// An officer decides the outcome of one or more dialogues still negotiating: an agreement
    /// (purchase, pilot contract, innovation partnership with phases) or none, with reasons.
    /// The award notice goes to every dialogue of the challenge at once and the standstill
    /// period starts.
    public static let decide = Method<DecideRequest, Award>(service: service, name: "Decide", kind: .mutating, access: .roles([.officer]))
    /// An officer registers a complaint against an award during its standstill period;
    /// signing that award's agreements is paused until it is resolved.
    public static let registerComplaint = Method<RegisterComplaintRequest, Complaint>(service: service, name: "RegisterComplaint", kind: .mutating, access: .roles([.officer]))
    /// An officer records a complaint's outcome: dismissed (signing may go on once no complaint
    /// is open) or upheld (the award is annulled; its dialogues negotiate again).
    public static let resolveComplaint = Method<ResolveComplaintRequest, Complaint>(service: service, name: "ResolveComplaint", kind: .mutating, access: .roles([.officer]))
    /// An officer records the signing of an awarded agreement: refused before the standstill
    /// period has ended and while a complaint against the award is open.
    public static let signAgreement = Method<SignAgreementRequest, Dialogue>(service: service, name: "SignAgreement", kind: .mutating, access: .roles([.officer]))
    /// An officer decides a signed innovation partnership's next phase gate: go (the phase's
    /// cost within its cap) or stop, which ends the partnership with the reason recorded.
    public static let decideGate = Method<DecideGateRequest, Dialogue>(service: service, name: "DecideGate", kind: .mutating, access: .roles([.officer]))
    /// An officer ends a dialogue still negotiating without an agreement (the startup left, a
    /// pilot was no-go, …), with the reason given to the startup.
    public static let endDialogue = Method<EndDialogueRequest, Dialogue>(service: service, name: "EndDialogue", kind: .mutating, access: .roles([.officer]))

    /// The purpose every grant from Negotiation names; the Vault records it with each read.
    public static let grantPurpose = "negotiation"

    /// The Vault `field` each kind of dialogue content must be deposited under.
    public enum Field {
        public static let message = "message"
        public static let minutes = "minutes"
        public static let offer = "offer"
        public static let pilotReport = "pilot-report"
    }
}

public typealias AgreementKind = AwardDecided.AgreementKind
public typealias PilotMetric = PilotDefined.Metric
public typealias PilotDecision = PilotDecided.Decision
public typealias AgreementPhase = AgreementSigned.Phase

public enum DialogueStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Rounds, messages, offers and pilots go on.
    case negotiating
    /// Decided in an award (an agreement or none); the standstill period runs.
    case awarded
    /// The agreement is signed (for an innovation partnership: its phases run).
    case signed
    /// An innovation partnership passed its last gate.
    case completed
    /// Ended without an agreement, or a partnership stopped at a gate (``Dialogue/endReason``).
    case ended
}

public struct OpenDialoguesRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// Negotiators' token subjects, assigned to every dialogue (at least one).
    public var negotiators: [String]
    public init(challenge: ChallengeID, negotiators: [String]) {
        self.challenge = challenge
        self.negotiators = negotiators
    }
}

public struct AssignNegotiatorsRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// The dialogue's negotiators from now on (at least one).
    public var negotiators: [String]
    public init(dialogue: DialogueID, negotiators: [String]) {
        self.dialogue = dialogue
        self.negotiators = negotiators
    }
}

public struct GetDialogueRequest: Codable, Sendable {
    public var dialogue: DialogueID
    public init(dialogue: DialogueID) { self.dialogue = dialogue }
}

public struct ListDialoguesRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

/// A dialogue with everything Negotiation holds about it: metadata and refs, never content.
public struct Dialogue: Codable, Sendable, Hashable {
    public var dialogue: DialogueID
    public var challenge: ChallengeID
    public var application: ApplicationID
    public var orgNumber: OrgNumber
    public var companyName: String
    /// The application's rank in the evaluation result.
    public var rank: Int
    /// The application's confidential part (participants may ask for a grant to read it).
    public var applicationRef: VaultRef
    public var status: DialogueStatus
    public var negotiators: [String]
    public var rounds: [Round]
    public var messages: [DialogueMessage]
    public var offers: [Offer]
    public var pilots: [Pilot]
    /// Clarifications and award notices delivered to this dialogue, oldest first.
    public var notices: [DialogueNotice]
    /// The decided outcome, once an award covers this dialogue.
    public var outcome: DialogueOutcome?
    /// Why the dialogue ended (status `ended`).
    public var endReason: String?
    public var openedAt: Timestamp

    public init(dialogue: DialogueID, challenge: ChallengeID, application: ApplicationID, orgNumber: OrgNumber, companyName: String, rank: Int, applicationRef: VaultRef, status: DialogueStatus, negotiators: [String], rounds: [Round], messages: [DialogueMessage], offers: [Offer], pilots: [Pilot], notices: [DialogueNotice], outcome: DialogueOutcome?, endReason: String?, openedAt: Timestamp) {
        self.dialogue = dialogue
        self.challenge = challenge
        self.application = application
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.rank = rank
        self.applicationRef = applicationRef
        self.status = status
        self.negotiators = negotiators
        self.rounds = rounds
        self.messages = messages
        self.offers = offers
        self.pilots = pilots
        self.notices = notices
        self.outcome = outcome
        self.endReason = endReason
        self.openedAt = openedAt
    }
}

/// A challenge's dialogues (as the caller may see them), its awards and complaints.
public struct DialogueList: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public var dialogues: [Dialogue]
    public var awards: [Award]
    /// Officers and auditors only; empty for others.
    public var complaints: [Complaint]
    public init(challenge: ChallengeID, dialogues: [Dialogue], awards: [Award], complaints: [Complaint]) {
        self.challenge = challenge
        self.dialogues = dialogues
        self.awards = awards
        self.complaints = complaints
    }
}

public struct ScheduleRoundRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// When the round's meeting is planned.
    public var scheduledAt: Timestamp
    /// Offers submitted up to this instant (inclusive, to the millisecond) count for the round.
    public var offerDeadline: Timestamp?
    /// What the round is about (1–500 characters). Not confidential: no startup content here.
    public var agenda: String
    public init(dialogue: DialogueID, scheduledAt: Timestamp, offerDeadline: Timestamp? = nil, agenda: String) {
        self.dialogue = dialogue
        self.scheduledAt = scheduledAt
        self.offerDeadline = offerDeadline
        self.agenda = agenda
    }
}

public struct Round: Codable, Sendable, Hashable {
    /// From 1 per dialogue.
    public var number: Int
    public var scheduledAt: Timestamp
    public var offerDeadline: Timestamp?
    public var agenda: String
    /// Set once the meeting is recorded.
    public var heldAt: Timestamp?
    public var attendance: [String]?
    public var minutes: VaultRef?
    /// The digest of the minutes' salted commitment.
    public var minutesCommitment: Digest?
    public init(number: Int, scheduledAt: Timestamp, offerDeadline: Timestamp?, agenda: String, heldAt: Timestamp?, attendance: [String]?, minutes: VaultRef?, minutesCommitment: Digest?) {
        self.number = number
        self.scheduledAt = scheduledAt
        self.offerDeadline = offerDeadline
        self.agenda = agenda
        self.heldAt = heldAt
        self.attendance = attendance
        self.minutes = minutes
        self.minutesCommitment = minutesCommitment
    }
}

public struct RecordMeetingRequest: Codable, Sendable {
    public var dialogue: DialogueID
    public var round: Int
    /// Not in the future.
    public var heldAt: Timestamp
    /// Who attended (token subjects or names; 1–50 entries).
    public var attendance: [String]
    /// The minutes, deposited by the caller for the dialogue's startup (field `minutes`).
    public var minutes: DepositReceipt
    public init(dialogue: DialogueID, round: Int, heldAt: Timestamp, attendance: [String], minutes: DepositReceipt) {
        self.dialogue = dialogue
        self.round = round
        self.heldAt = heldAt
        self.attendance = attendance
        self.minutes = minutes
    }
}

public struct SendMessageRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// The content, deposited by the sender (field `message`): by the startup itself, or by
    /// the officer or negotiator for the dialogue's startup.
    public var content: DepositReceipt
    public init(dialogue: DialogueID, content: DepositReceipt) {
        self.dialogue = dialogue
        self.content = content
    }
}

public struct DialogueMessage: Codable, Sendable, Hashable {
    /// From 1 per dialogue.
    public var number: Int
    public var from: Actor
    public var ref: VaultRef
    public var commitment: Digest
    public var sentAt: Timestamp
    public init(number: Int, from: Actor, ref: VaultRef, commitment: Digest, sentAt: Timestamp) {
        self.number = number
        self.from = from
        self.ref = ref
        self.commitment = commitment
        self.sentAt = sentAt
    }
}

public struct DialogueAccessRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// A ref of this dialogue.
    public var ref: VaultRef
    public init(dialogue: DialogueID, ref: VaultRef) {
        self.dialogue = dialogue
        self.ref = ref
    }
}

/// A clarification: text only, by construction — decoding refuses any member but
/// `challenge` and `text`, so no ref or attachment can ride along.
public struct SendClarificationRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// The notice (1–10 000 characters), identical for every participant.
    public var text: String
    public init(challenge: ChallengeID, text: String) {
        self.challenge = challenge
        self.text = text
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case challenge, text
    }

    public init(from decoder: any Decoder) throws {
        try UnknownFields.refuse(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.challenge = try container.decode(ChallengeID.self, forKey: .challenge)
        self.text = try container.decode(String.self, forKey: .text)
    }
}

public struct Clarification: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    /// From 1 per challenge.
    public var number: Int
    public var text: String
    /// SHA-256 of the text's UTF-8 bytes.
    public var digest: Digest
    /// Every dialogue that received it, all at ``sentAt``.
    public var recipients: [DialogueID]
    public var sentAt: Timestamp
    public init(challenge: ChallengeID, number: Int, text: String, digest: Digest, recipients: [DialogueID], sentAt: Timestamp) {
        self.challenge = challenge
        self.number = number
        self.text = text
        self.digest = digest
        self.recipients = recipients
        self.sentAt = sentAt
    }
}

/// A notice delivered to a dialogue: the same text, digest and time for every recipient.
public struct DialogueNotice: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case clarification
        case award
    }
    public var kind: Kind
    /// The clarification's or the award's number.
    public var number: Int
    public var text: String
    public var digest: Digest
    public var deliveredAt: Timestamp
    public init(kind: Kind, number: Int, text: String, digest: Digest, deliveredAt: Timestamp) {
        self.kind = kind
        self.number = number
        self.text = text
        self.digest = digest
        self.deliveredAt = deliveredAt
    }
}

public struct SubmitOfferRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// The offer, deposited by the startup (field `offer`).
    public var offer: DepositReceipt
    public init(dialogue: DialogueID, offer: DepositReceipt) {
        self.dialogue = dialogue
        self.offer = offer
    }
}

public struct Offer: Codable, Sendable, Hashable {
    /// From 1 per dialogue.
    public var version: Int
    public var ref: VaultRef
    /// The digest of the Vault's salted commitment to the offer (recorded).
    public var commitment: Digest
    public var submittedAt: Timestamp
    /// The rounds for which this version is the one that counts (the latest submitted by the
    /// round's offer deadline, once that deadline has passed).
    public var countsFor: [Int]
    public init(version: Int, ref: VaultRef, commitment: Digest, submittedAt: Timestamp, countsFor: [Int]) {
        self.version = version
        self.ref = ref
        self.commitment = commitment
        self.submittedAt = submittedAt
        self.countsFor = countsFor
    }
}

public struct DefinePilotRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// What the pilot should show (1–2000 characters).
    public var hypothesis: String
    /// 1–20 metrics with distinct names, each with a threshold and a unit.
    public var metrics: [PilotMetric]
    /// 1–365.
    public var durationDays: Int
    /// More than zero.
    public var budgetCap: Money
    public init(dialogue: DialogueID, hypothesis: String, metrics: [PilotMetric], durationDays: Int, budgetCap: Money) {
        self.dialogue = dialogue
        self.hypothesis = hypothesis
        self.metrics = metrics
        self.durationDays = durationDays
        self.budgetCap = budgetCap
    }
}

/// A measured value for one metric, in the metric's unit.
public struct MetricMeasurement: Codable, Sendable, Hashable {
    public var metric: String
    public var value: Int64
    public init(metric: String, value: Int64) {
        self.metric = metric
        self.value = value
    }
}

public struct ReportPilotResultRequest: Codable, Sendable {
    public var dialogue: DialogueID
    public var pilot: Int
    /// Exactly one per metric of the pilot. Compared with the thresholds, then dropped:
    /// Negotiation keeps and records only whether each threshold was met.
    public var measurements: [MetricMeasurement]
    /// The full report, deposited by the caller for the dialogue's startup (field
    /// `pilot-report`).
    public var report: DepositReceipt
    public init(dialogue: DialogueID, pilot: Int, measurements: [MetricMeasurement], report: DepositReceipt) {
        self.dialogue = dialogue
        self.pilot = pilot
        self.measurements = measurements
        self.report = report
    }
}

public struct DecidePilotRequest: Codable, Sendable {
    public var dialogue: DialogueID
    public var pilot: Int
    /// Omitted: the decision the thresholds give. Otherwise, when it differs from that, an
    /// override that needs ``reason``.
    public var decision: PilotDecision?
    /// Why; required for an override (10–2000 characters). Omitted otherwise, the reason is
    /// derived from the metrics.
    public var reason: String?
    public init(dialogue: DialogueID, pilot: Int, decision: PilotDecision? = nil, reason: String? = nil) {
        self.dialogue = dialogue
        self.pilot = pilot
        self.decision = decision
        self.reason = reason
    }
}

public struct Pilot: Codable, Sendable, Hashable {
    /// From 1 per dialogue.
    public var number: Int
    public var hypothesis: String
    public var metrics: [PilotMetric]
    public var durationDays: Int
    public var budgetCap: Money
    public var definedAt: Timestamp
    public var result: PilotResult?
    public var decision: PilotDecisionRecord?
    public init(number: Int, hypothesis: String, metrics: [PilotMetric], durationDays: Int, budgetCap: Money, definedAt: Timestamp, result: PilotResult?, decision: PilotDecisionRecord?) {
        self.number = number
        self.hypothesis = hypothesis
        self.metrics = metrics
        self.durationDays = durationDays
        self.budgetCap = budgetCap
        self.definedAt = definedAt
        self.result = result
        self.decision = decision
    }
}

public struct PilotResult: Codable, Sendable, Hashable {
    public var outcomes: [PilotResultRecorded.MetricOutcome]
    public var report: VaultRef
    public var reportCommitment: Digest
    public var reportedAt: Timestamp
    public var reportedBy: Actor
    public init(outcomes: [PilotResultRecorded.MetricOutcome], report: VaultRef, reportCommitment: Digest, reportedAt: Timestamp, reportedBy: Actor) {
        self.outcomes = outcomes
        self.report = report
        self.reportCommitment = reportCommitment
        self.reportedAt = reportedAt
        self.reportedBy = reportedBy
    }
}

public struct PilotDecisionRecord: Codable, Sendable, Hashable {
    public var decision: PilotDecision
    public var reason: String
    /// True when the decision goes against what the thresholds gave.
    public var override: Bool
    public var decidedAt: Timestamp
    public var decidedBy: String
    public init(decision: PilotDecision, reason: String, override: Bool, decidedAt: Timestamp, decidedBy: String) {
        self.decision = decision
        self.reason = reason
        self.override = override
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
    }
}

/// The outcome decided for one dialogue.
public struct DialogueDecision: Codable, Sendable, Hashable {
    public var dialogue: DialogueID
    public var kind: AgreementKind
    /// The agreement's value: required for a purchase or pilot contract; for an innovation
    /// partnership the sum of its phases' cost caps (may be omitted); nil for `none`.
    public var value: Money?
    /// Why (1–2000 characters); the startup reads it.
    public var reason: String
    /// An innovation partnership's phases, in order (1–10); nil otherwise.
    public var phases: [AgreementPhase]?
    public init(dialogue: DialogueID, kind: AgreementKind, value: Money? = nil, reason: String, phases: [AgreementPhase]? = nil) {
        self.dialogue = dialogue
        self.kind = kind
        self.value = value
        self.reason = reason
        self.phases = phases
    }
}

public struct DecideRequest: Codable, Sendable {
    public var challenge: ChallengeID
    /// One per dialogue decided, each still negotiating; the others go on negotiating.
    public var decisions: [DialogueDecision]
    public init(challenge: ChallengeID, decisions: [DialogueDecision]) {
        self.challenge = challenge
        self.decisions = decisions
    }
}

public enum AwardStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// The standstill period runs.
    case standstill
    /// The standstill period has ended; agreements may be signed once no complaint is open.
    case final
    /// A complaint was upheld: the award no longer stands.
    case annulled
}

public struct Award: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    /// From 1 per challenge.
    public var number: Int
    public var decisions: [DialogueDecision]
    public var decidedAt: Timestamp
    public var decidedBy: String
    public var standstillStart: Timestamp
    public var standstillEnd: Timestamp
    public var status: AwardStatus
    /// Complaints registered against it and not yet resolved.
    public var openComplaints: [Int]
    /// The notice every dialogue of the challenge received at ``decidedAt``.
    public var notice: DialogueNotice
    public init(challenge: ChallengeID, number: Int, decisions: [DialogueDecision], decidedAt: Timestamp, decidedBy: String, standstillStart: Timestamp, standstillEnd: Timestamp, status: AwardStatus, openComplaints: [Int], notice: DialogueNotice) {
        self.challenge = challenge
        self.number = number
        self.decisions = decisions
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.standstillStart = standstillStart
        self.standstillEnd = standstillEnd
        self.status = status
        self.openComplaints = openComplaints
        self.notice = notice
    }
}

/// What a dialogue's award decided, and what happened to the agreement since.
public struct DialogueOutcome: Codable, Sendable, Hashable {
    public var award: Int
    public var decision: DialogueDecision
    /// The offer version that counted when the award was decided (nil for `none`).
    public var offerVersion: Int?
    public var standstillEnd: Timestamp
    public var signedAt: Timestamp?
    /// Gate decisions of an innovation partnership, in phase order.
    public var gates: [GateDecision]
    public init(award: Int, decision: DialogueDecision, offerVersion: Int?, standstillEnd: Timestamp, signedAt: Timestamp?, gates: [GateDecision]) {
        self.award = award
        self.decision = decision
        self.offerVersion = offerVersion
        self.standstillEnd = standstillEnd
        self.signedAt = signedAt
        self.gates = gates
    }
}

public struct GateDecision: Codable, Sendable, Hashable {
    /// From 1.
    public var phase: Int
    public var decision: PilotDecision
    public var reason: String
    public var cost: Money
    public var decidedAt: Timestamp
    public init(phase: Int, decision: PilotDecision, reason: String, cost: Money, decidedAt: Timestamp) {
        self.phase = phase
        self.decision = decision
        self.reason = reason
        self.cost = cost
        self.decidedAt = decidedAt
    }
}

public struct RegisterComplaintRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var award: Int
    /// The complaining company.
    public var orgNumber: OrgNumber
    /// What the complaint is about (1–2000 characters), recorded.
    public var summary: String
    public init(challenge: ChallengeID, award: Int, orgNumber: OrgNumber, summary: String) {
        self.challenge = challenge
        self.award = award
        self.orgNumber = orgNumber
        self.summary = summary
    }
}

public typealias ComplaintOutcome = ComplaintResolved.Outcome

public struct ResolveComplaintRequest: Codable, Sendable {
    public var challenge: ChallengeID
    public var complaint: Int
    public var outcome: ComplaintOutcome
    /// Why (1–2000 characters), recorded.
    public var reason: String
    public init(challenge: ChallengeID, complaint: Int, outcome: ComplaintOutcome, reason: String) {
        self.challenge = challenge
        self.complaint = complaint
        self.outcome = outcome
        self.reason = reason
    }
}

public struct Complaint: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    /// From 1 per challenge.
    public var number: Int
    public var award: Int
    public var orgNumber: OrgNumber
    public var summary: String
    public var registeredAt: Timestamp
    public var outcome: ComplaintOutcome?
    public var reason: String?
    public var resolvedAt: Timestamp?
    public init(challenge: ChallengeID, number: Int, award: Int, orgNumber: OrgNumber, summary: String, registeredAt: Timestamp, outcome: ComplaintOutcome?, reason: String?, resolvedAt: Timestamp?) {
        self.challenge = challenge
        self.number = number
        self.award = award
        self.orgNumber = orgNumber
        self.summary = summary
        self.registeredAt = registeredAt
        self.outcome = outcome
        self.reason = reason
        self.resolvedAt = resolvedAt
    }
}

public struct SignAgreementRequest: Codable, Sendable {
    public var dialogue: DialogueID
    public init(dialogue: DialogueID) { self.dialogue = dialogue }
}

public struct DecideGateRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// The next undecided phase, from 1.
    public var phase: Int
    /// `go` passes the gate; `no_go` stops the partnership.
    public var decision: PilotDecision
    /// Why (1–2000 characters), recorded.
    public var reason: String
    /// What the phase cost; at most its cap.
    public var cost: Money
    public init(dialogue: DialogueID, phase: Int, decision: PilotDecision, reason: String, cost: Money) {
        self.dialogue = dialogue
        self.phase = phase
        self.decision = decision
        self.reason = reason
        self.cost = cost
    }
}

public struct EndDialogueRequest: Codable, Sendable {
    public var dialogue: DialogueID
    /// Why (1–2000 characters); the startup reads it and the record holds it.
    public var reason: String
    public init(dialogue: DialogueID, reason: String) {
        self.dialogue = dialogue
        self.reason = reason
    }
}
