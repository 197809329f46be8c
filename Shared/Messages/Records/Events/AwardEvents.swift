/// The award decision: for every dialogue, which agreement (if any) and why.
///
/// Emitted by Negotiation when the officer decides; the award notice goes to all participants
/// at once and a standstill period follows (``StandstillStarted``).
public struct AwardDecided: EventBody {
    public static let eventType = EventType.awardDecided

    /// One per dialogue decided; dialogues not named go on negotiating.
    public var decisions: [Decision]
    /// The award's number, from 1 per challenge (complaints and the standstill name it).
    /// Absent in events recorded before awards were numbered in the record.
    public var award: Int?

    public init(decisions: [Decision], award: Int? = nil) {
        self.decisions = decisions
        self.award = award
    }

    public struct Decision: Codable, Sendable, Hashable {
        public var dialogue: DialogueID
        public var orgNumber: OrgNumber
        public var companyName: String
        public var kind: AgreementKind
        /// The value of the intended agreement; nil for ``AgreementKind/none``.
        public var value: Money?
        public var reason: String
        public init(dialogue: DialogueID, orgNumber: OrgNumber, companyName: String, kind: AgreementKind, value: Money?, reason: String) {
            self.dialogue = dialogue
            self.orgNumber = orgNumber
            self.companyName = companyName
            self.kind = kind
            self.value = value
            self.reason = reason
        }
    }

    /// What a dialogue ends in (DESIGN.md §5, Negotiation).
    public enum AgreementKind: String, Codable, Sendable, Hashable, CaseIterable {
        case purchase
        case pilotContract = "pilot_contract"
        /// Phases, each with targets, a cost cap and a stop/go gate.
        case innovationPartnership = "innovation_partnership"
        /// No agreement.
        case none
    }
}

/// The standstill period after the award notice began; signing before its end is refused.
///
/// Emitted by Negotiation together with the award notice (10 days by default).
public struct StandstillStarted: EventBody {
    public static let eventType = EventType.standstillStarted

    public var start: Timestamp
    public var end: Timestamp
    /// The award whose standstill it is (absent in events recorded before awards were numbered).
    public var award: Int?

    public init(start: Timestamp, end: Timestamp, award: Int? = nil) {
        self.start = start
        self.end = end
        self.award = award
    }
}

/// The standstill period ran out; agreements may now be signed.
///
/// Emitted by Negotiation when its clock passes the end of the period.
public struct StandstillEnded: EventBody {
    public static let eventType = EventType.standstillEnded

    public var start: Timestamp
    public var end: Timestamp
    /// The award whose standstill it was (absent in events recorded before awards were numbered).
    public var award: Int?

    public init(start: Timestamp, end: Timestamp, award: Int? = nil) {
        self.start = start
        self.end = end
        self.award = award
    }
}

/// An agreement was signed with a startup after the standstill period.
///
/// Emitted by Negotiation when the officer records the signature.
public struct AgreementSigned: EventBody {
    public static let eventType = EventType.agreementSigned

    public var dialogue: DialogueID
    public var orgNumber: OrgNumber
    public var companyName: String
    public var kind: AwardDecided.AgreementKind
    public var value: Money
    /// For an innovation partnership: its phases, in order.
    public var phases: [Phase]?

    public init(dialogue: DialogueID, orgNumber: OrgNumber, companyName: String, kind: AwardDecided.AgreementKind, value: Money, phases: [Phase]? = nil) {
        self.dialogue = dialogue
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.kind = kind
        self.value = value
        self.phases = phases
    }

    /// One phase of an innovation partnership.
    public struct Phase: Codable, Sendable, Hashable {
        public var name: String
        public var targets: [String]
        public var costCap: Money
        /// When the stop/go decision that ends the phase is due.
        public var gate: Timestamp
        public init(name: String, targets: [String], costCap: Money, gate: Timestamp) {
            self.name = name
            self.targets = targets
            self.costCap = costCap
            self.gate = gate
        }
    }
}
