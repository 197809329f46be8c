/// A confidential dialogue was opened with one shortlisted applicant.
///
/// Emitted by Negotiation, one per shortlisted application. Later dialogue events name the
/// dialogue; this one ties it to the application and the company.
public struct DialogueOpened: EventBody {
    public static let eventType = EventType.dialogueOpened

    public var dialogue: DialogueID
    public var application: ApplicationID
    public var orgNumber: OrgNumber
    public var companyName: String

    public init(dialogue: DialogueID, application: ApplicationID, orgNumber: OrgNumber, companyName: String) {
        self.dialogue = dialogue
        self.application = application
        self.orgNumber = orgNumber
        self.companyName = companyName
    }
}

/// A clarification notice went to every participant at once (equal treatment).
///
/// Emitted by Negotiation when the municipality gives information that concerns the
/// competition. The record proves who received which notice, and when: the recipients are
/// all open dialogues, and the digest fixes the text sent.
public struct ClarificationSent: EventBody {
    public static let eventType = EventType.clarificationSent

    /// Numbered from 1 per challenge.
    public var number: Int
    public var recipients: [DialogueID]
    /// SHA-256 of the notice text as sent.
    public var notice: Digest

    public init(number: Int, recipients: [DialogueID], notice: Digest) {
        self.number = number
        self.recipients = recipients
        self.notice = notice
    }
}

/// A startup submitted a version of its offer in the dialogue.
///
/// Emitted by Negotiation. The offer (prices, terms) is confidential and lives in the Vault;
/// the record holds a salted commitment — an unsalted digest of a price could be found by
/// trying prices — and the reference.
public struct OfferReceived: EventBody {
    public static let eventType = EventType.offerReceived

    public var dialogue: DialogueID
    /// Counts from 1 per dialogue.
    public var version: Int
    /// The digest of the Vault's salted commitment (``SaltedDigest/digest``), never its salt:
    /// with the salt, anyone could confirm a guessed price.
    public var commitment: Digest
    public var vaultRef: VaultRef

    public init(dialogue: DialogueID, version: Int, commitment: Digest, vaultRef: VaultRef) {
        self.dialogue = dialogue
        self.version = version
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

/// A dialogue ended without an agreement.
///
/// Emitted by Negotiation when the officer closes a dialogue that leads to no agreement
/// (award "none", a no-go pilot, or the startup leaving), with the reason given to the startup.
public struct DialogueEndedWithoutAgreement: EventBody {
    public static let eventType = EventType.dialogueEndedWithoutAgreement

    public var dialogue: DialogueID
    public var orgNumber: OrgNumber
    public var companyName: String
    public var reason: String

    public init(dialogue: DialogueID, orgNumber: OrgNumber, companyName: String, reason: String) {
        self.dialogue = dialogue
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.reason = reason
    }
}

/// A dialogue round's meeting was held.
///
/// Emitted by Negotiation when a negotiator records the meeting. The minutes live in the Vault
/// (reference and the digest of their commitment); the record holds who attended and when.
public struct RoundHeld: EventBody {
    public static let eventType = EventType.roundHeld

    public var dialogue: DialogueID
    /// Numbered from 1 per dialogue.
    public var round: Int
    public var heldAt: Timestamp
    /// Attendees' subjects (the municipality's people and the startup's).
    public var attendance: [String]
    public var minutes: Digest
    public var vaultRef: VaultRef

    public init(dialogue: DialogueID, round: Int, heldAt: Timestamp, attendance: [String], minutes: Digest, vaultRef: VaultRef) {
        self.dialogue = dialogue
        self.round = round
        self.heldAt = heldAt
        self.attendance = attendance
        self.minutes = minutes
        self.vaultRef = vaultRef
    }
}

/// A complaint against the award was registered during the standstill period; signing is
/// paused until it is resolved.
///
/// Emitted by Negotiation when an officer registers it.
public struct ComplaintRegistered: EventBody {
    public static let eventType = EventType.complaintRegistered

    /// Numbered from 1 per challenge.
    public var complaint: Int
    /// The complaining company.
    public var orgNumber: OrgNumber
    public var summary: String
    /// The award complained against (absent in events recorded before awards were numbered).
    public var award: Int?

    public init(complaint: Int, orgNumber: OrgNumber, summary: String, award: Int? = nil) {
        self.complaint = complaint
        self.orgNumber = orgNumber
        self.summary = summary
        self.award = award
    }
}

/// A complaint was resolved; if none is open any more, signing may go on.
public struct ComplaintResolved: EventBody {
    public static let eventType = EventType.complaintResolved

    public var complaint: Int
    public var outcome: Outcome
    public var reason: String
    /// The award complained against; upheld, that award is annulled and its dialogues
    /// negotiate again (absent in events recorded before awards were numbered).
    public var award: Int?

    public init(complaint: Int, outcome: Outcome, reason: String, award: Int? = nil) {
        self.complaint = complaint
        self.outcome = outcome
        self.reason = reason
        self.award = award
    }

    public enum Outcome: String, Codable, Sendable, Hashable, CaseIterable {
        /// The award stands.
        case dismissed
        /// The complaint is upheld: the award is annulled, its dialogues negotiate again and
        /// may be decided anew.
        case upheld
    }
}

/// An innovation partnership passed (go) or ended at (stop) a phase's stop/go gate.
///
/// Emitted by Negotiation. A stop ends the partnership; the reason is recorded.
public struct PhaseGateDecided: EventBody {
    public static let eventType = EventType.phaseGateDecided

    public var dialogue: DialogueID
    /// The phase's index, from 1.
    public var phase: Int
    public var decision: PilotDecided.Decision
    public var reason: String
    /// Cost reported for the phase, within its cap.
    public var cost: Money

    public init(dialogue: DialogueID, phase: Int, decision: PilotDecided.Decision, reason: String, cost: Money) {
        self.dialogue = dialogue
        self.phase = phase
        self.decision = decision
        self.reason = reason
        self.cost = cost
    }
}
