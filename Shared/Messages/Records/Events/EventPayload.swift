/// The typed payload of a ``ProcurementEvent``: one case per ``EventType``.
///
/// The payload encodes as the plain body object; which body it is travels beside it as the
/// event's `type`, so ``ProcurementEvent`` decodes it with ``init(type:from:)``.
public enum EventPayload: Hashable, Sendable, Encodable {
    case challengePublished(ChallengePublished)
    case challengeAmended(ChallengeAmended)
    case interestRegistered(InterestRegistered)
    case questionAnswered(QuestionAnswered)
    case applicationReceived(ApplicationReceived)
    case applicationAmended(ApplicationAmended)
    case applicationWithdrawn(ApplicationWithdrawn)
    case applicationRejectedLate(ApplicationRejectedLate)
    case intakeClosed(IntakeClosed)
    case panelAssigned(PanelAssigned)
    case impartialityDeclared(ImpartialityDeclared)
    case evaluatorRecused(EvaluatorRecused)
    case evaluatorRemoved(EvaluatorRemoved)
    case consensusRecorded(ConsensusRecorded)
    case scoresFinalised(ScoresFinalised)
    case shortlistDecided(ShortlistDecided)
    case dialogueOpened(DialogueOpened)
    case roundHeld(RoundHeld)
    case clarificationSent(ClarificationSent)
    case pilotDefined(PilotDefined)
    case pilotResultRecorded(PilotResultRecorded)
    case pilotDecided(PilotDecided)
    case offerReceived(OfferReceived)
    case awardDecided(AwardDecided)
    case standstillStarted(StandstillStarted)
    case standstillEnded(StandstillEnded)
    case complaintRegistered(ComplaintRegistered)
    case complaintResolved(ComplaintResolved)
    case phaseGateDecided(PhaseGateDecided)
    case agreementSigned(AgreementSigned)
    case dialogueEndedWithoutAgreement(DialogueEndedWithoutAgreement)
    case confidentialDataAccessed(ConfidentialDataAccessed)
    case confidentialDataShredded(ConfidentialDataShredded)

    /// The event type this payload belongs to.
    public var type: EventType { Swift.type(of: body).eventType }

    /// The payload value itself.
    public var body: any EventBody {
        switch self {
        case .challengePublished(let body): body
        case .challengeAmended(let body): body
        case .interestRegistered(let body): body
        case .questionAnswered(let body): body
        case .applicationReceived(let body): body
        case .applicationAmended(let body): body
        case .applicationWithdrawn(let body): body
        case .applicationRejectedLate(let body): body
        case .intakeClosed(let body): body
        case .panelAssigned(let body): body
        case .impartialityDeclared(let body): body
        case .evaluatorRecused(let body): body
        case .evaluatorRemoved(let body): body
        case .consensusRecorded(let body): body
        case .scoresFinalised(let body): body
        case .shortlistDecided(let body): body
        case .dialogueOpened(let body): body
        case .roundHeld(let body): body
        case .clarificationSent(let body): body
        case .pilotDefined(let body): body
        case .pilotResultRecorded(let body): body
        case .pilotDecided(let body): body
        case .offerReceived(let body): body
        case .awardDecided(let body): body
        case .standstillStarted(let body): body
        case .standstillEnded(let body): body
        case .complaintRegistered(let body): body
        case .complaintResolved(let body): body
        case .phaseGateDecided(let body): body
        case .agreementSigned(let body): body
        case .dialogueEndedWithoutAgreement(let body): body
        case .confidentialDataAccessed(let body): body
        case .confidentialDataShredded(let body): body
        }
    }

    /// Decodes the body that `type` names; a body of another shape fails with the decoder's
    /// coding path (`payload`, from ``ProcurementEvent``).
    public init(type: EventType, from decoder: any Decoder) throws {
        switch type {
        case .challengePublished: self = .challengePublished(try ChallengePublished(from: decoder))
        case .challengeAmended: self = .challengeAmended(try ChallengeAmended(from: decoder))
        case .interestRegistered: self = .interestRegistered(try InterestRegistered(from: decoder))
        case .questionAnswered: self = .questionAnswered(try QuestionAnswered(from: decoder))
        case .applicationReceived: self = .applicationReceived(try ApplicationReceived(from: decoder))
        case .applicationAmended: self = .applicationAmended(try ApplicationAmended(from: decoder))
        case .applicationWithdrawn: self = .applicationWithdrawn(try ApplicationWithdrawn(from: decoder))
        case .applicationRejectedLate: self = .applicationRejectedLate(try ApplicationRejectedLate(from: decoder))
        case .intakeClosed: self = .intakeClosed(try IntakeClosed(from: decoder))
        case .panelAssigned: self = .panelAssigned(try PanelAssigned(from: decoder))
        case .impartialityDeclared: self = .impartialityDeclared(try ImpartialityDeclared(from: decoder))
        case .evaluatorRecused: self = .evaluatorRecused(try EvaluatorRecused(from: decoder))
        case .evaluatorRemoved: self = .evaluatorRemoved(try EvaluatorRemoved(from: decoder))
        case .consensusRecorded: self = .consensusRecorded(try ConsensusRecorded(from: decoder))
        case .scoresFinalised: self = .scoresFinalised(try ScoresFinalised(from: decoder))
        case .shortlistDecided: self = .shortlistDecided(try ShortlistDecided(from: decoder))
        case .dialogueOpened: self = .dialogueOpened(try DialogueOpened(from: decoder))
        case .roundHeld: self = .roundHeld(try RoundHeld(from: decoder))
        case .clarificationSent: self = .clarificationSent(try ClarificationSent(from: decoder))
        case .pilotDefined: self = .pilotDefined(try PilotDefined(from: decoder))
        case .pilotResultRecorded: self = .pilotResultRecorded(try PilotResultRecorded(from: decoder))
        case .pilotDecided: self = .pilotDecided(try PilotDecided(from: decoder))
        case .offerReceived: self = .offerReceived(try OfferReceived(from: decoder))
        case .awardDecided: self = .awardDecided(try AwardDecided(from: decoder))
        case .standstillStarted: self = .standstillStarted(try StandstillStarted(from: decoder))
        case .standstillEnded: self = .standstillEnded(try StandstillEnded(from: decoder))
        case .complaintRegistered: self = .complaintRegistered(try ComplaintRegistered(from: decoder))
        case .complaintResolved: self = .complaintResolved(try ComplaintResolved(from: decoder))
        case .phaseGateDecided: self = .phaseGateDecided(try PhaseGateDecided(from: decoder))
        case .agreementSigned: self = .agreementSigned(try AgreementSigned(from: decoder))
        case .dialogueEndedWithoutAgreement: self = .dialogueEndedWithoutAgreement(try DialogueEndedWithoutAgreement(from: decoder))
        case .confidentialDataAccessed: self = .confidentialDataAccessed(try ConfidentialDataAccessed(from: decoder))
        case .confidentialDataShredded: self = .confidentialDataShredded(try ConfidentialDataShredded(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
    }
}
