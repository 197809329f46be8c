/// An application arrived before the deadline and was given a receipt (DESIGN.md §5, Intake).
///
/// Emitted by Intake on receipt; the event time is the server's receipt time. The content went
/// straight to the Vault: the record holds only the commitment (salted digest) and the
/// reference, never the content (DESIGN.md §4).
public struct ApplicationReceived: EventBody {
    public static let eventType = EventType.applicationReceived

    public var application: ApplicationID
    public var orgNumber: OrgNumber
    public var companyName: String
    /// Commits to the confidential part without revealing it.
    public var commitment: SaltedDigest
    /// Where the Vault holds the confidential part.
    public var vaultRef: VaultRef

    public init(application: ApplicationID, orgNumber: OrgNumber, companyName: String, commitment: SaltedDigest, vaultRef: VaultRef) {
        self.application = application
        self.orgNumber = orgNumber
        self.companyName = companyName
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

/// An applicant replaced its application before the deadline.
///
/// Emitted by Intake. Versions count from 1 (the original receipt); each amendment carries the
/// commitment to, and the reference of, the new confidential content.
public struct ApplicationAmended: EventBody {
    public static let eventType = EventType.applicationAmended

    public var application: ApplicationID
    public var version: Int
    public var commitment: SaltedDigest
    public var vaultRef: VaultRef

    public init(application: ApplicationID, version: Int, commitment: SaltedDigest, vaultRef: VaultRef) {
        self.application = application
        self.version = version
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

/// An applicant withdrew its application before the deadline.
///
/// Emitted by Intake. The Vault may then shred the startup's data for this challenge.
public struct ApplicationWithdrawn: EventBody {
    public static let eventType = EventType.applicationWithdrawn

    public var application: ApplicationID
    public var orgNumber: OrgNumber
    /// The applicant's reason, if it gave one.
    public var reason: String?

    public init(application: ApplicationID, orgNumber: OrgNumber, reason: String? = nil) {
        self.application = application
        self.orgNumber = orgNumber
        self.reason = reason
    }
}

/// A submission arrived after the application deadline and was rejected without discretion.
///
/// Emitted by Intake; nothing of the submission is kept.
public struct ApplicationRejectedLate: EventBody {
    public static let eventType = EventType.applicationRejectedLate

    public var orgNumber: OrgNumber
    public var receivedAt: Timestamp
    public var deadline: Timestamp

    public init(orgNumber: OrgNumber, receivedAt: Timestamp, deadline: Timestamp) {
        self.orgNumber = orgNumber
        self.receivedAt = receivedAt
        self.deadline = deadline
    }
}

/// The application deadline passed: the set of applications is final.
///
/// Emitted by Intake once, at the deadline. From here on the list of applicants may be
/// published.
public struct IntakeClosed: EventBody {
    public static let eventType = EventType.intakeClosed

    public var deadline: Timestamp
    /// Applications standing at the deadline (received and not withdrawn).
    public var applications: Int
    public var withdrawn: Int
    public var rejectedLate: Int

    public init(deadline: Timestamp, applications: Int, withdrawn: Int, rejectedLate: Int) {
        self.deadline = deadline
        self.applications = applications
        self.withdrawn = withdrawn
        self.rejectedLate = rejectedLate
    }
}
