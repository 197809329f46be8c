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
    public var commitment: SaltedDigest
    public var vaultRef: VaultRef

    public init(dialogue: DialogueID, version: Int, commitment: SaltedDigest, vaultRef: VaultRef) {
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
