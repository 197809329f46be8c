import Foundation

/// An application arrived before the deadline and was given a receipt (DESIGN.md §5, Intake).
///
/// Emitted by Intake on receipt, as Intake itself (not the applicant, whose subject would name
/// it); the event time is the server's receipt time. Tenders stay confidential until the
/// deadline, so the record does not say who applied: ``applicant`` is a sealed commitment to
/// the organisation number and company name (``SealedApplicant``), opened by
/// ``IntakeClosed/applicants`` at the closing. The confidential part went straight to the
/// Vault: the record holds only the digest of its commitment and the reference, never the
/// content nor the commitment's salt, so no one can test a guess of the content against it
/// (DESIGN.md §4).
public struct ApplicationReceived: EventBody {
    public static let eventType = EventType.applicationReceived

    public var application: ApplicationID
    /// Who applied, sealed until the deadline: ``SealedApplicant/seal(orgNumber:companyName:salt:)``
    /// of the applicant as it submitted, with a random salt that ``IntakeClosed`` publishes.
    public var applicant: Digest
    /// The digest of the Vault's salted commitment to the confidential part
    /// (``SaltedDigest/digest``); the salt stays with the applicant and the Vault.
    public var commitment: Digest
    /// Where the Vault holds the confidential part.
    public var vaultRef: VaultRef

    public init(application: ApplicationID, applicant: Digest, commitment: Digest, vaultRef: VaultRef) {
        self.application = application
        self.applicant = applicant
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

/// An applicant replaced its application before the deadline.
///
/// Emitted by Intake, as Intake itself, like ``ApplicationReceived``. Versions count from 1
/// (the original receipt); each amendment carries the digest of the commitment to, and the
/// reference of, the confidential content in force (the new one, or the one kept).
public struct ApplicationAmended: EventBody {
    public static let eventType = EventType.applicationAmended

    public var application: ApplicationID
    public var version: Int
    /// The digest of the Vault's salted commitment (``SaltedDigest/digest``), never its salt.
    public var commitment: Digest
    public var vaultRef: VaultRef

    public init(application: ApplicationID, version: Int, commitment: Digest, vaultRef: VaultRef) {
        self.application = application
        self.version = version
        self.commitment = commitment
        self.vaultRef = vaultRef
    }
}

/// An applicant withdrew its application before the deadline.
///
/// Emitted by Intake, as Intake itself, like ``ApplicationReceived``: who withdrew is opened
/// with everyone else at the closing (``IntakeClosed/OpenedApplicant/Status/withdrawn``). The
/// Vault may then shred the startup's data for this challenge.
public struct ApplicationWithdrawn: EventBody {
    public static let eventType = EventType.applicationWithdrawn

    public var application: ApplicationID
    /// The applicant's reason, if it gave one, as written (public at once).
    public var reason: String?

    public init(application: ApplicationID, reason: String? = nil) {
        self.application = application
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

/// The application deadline passed: the set of applications is final, and it is opened.
///
/// Emitted by Intake once, after the deadline. Until now the record named no applicant; the
/// closing is the opening: ``applicants`` lists every application received, with the
/// organisation number, company name and salt its ``ApplicationReceived/applicant`` sealed, so
/// anyone can check each seal (``OpenedApplicant/opens(_:)``). From here on the list of
/// applicants may be published.
public struct IntakeClosed: EventBody {
    public static let eventType = EventType.intakeClosed

    public var deadline: Timestamp
    /// Applications standing at the deadline (received and not withdrawn).
    public var applications: Int
    public var withdrawn: Int
    public var rejectedLate: Int
    /// Every application received, withdrawn ones too, in order of receipt (the order of
    /// their `application.received` entries).
    public var applicants: [OpenedApplicant]

    public init(deadline: Timestamp, applications: Int, withdrawn: Int, rejectedLate: Int, applicants: [OpenedApplicant]) {
        self.deadline = deadline
        self.applications = applications
        self.withdrawn = withdrawn
        self.rejectedLate = rejectedLate
        self.applicants = applicants
    }

    /// One application opened: who sealed it, and the salt that opens the seal.
    ///
    /// The name is the one sealed at submission: an amendment that changed the company name
    /// does not change what was sealed, so the opening still matches.
    public struct OpenedApplicant: Codable, Sendable, Hashable {
        public var application: ApplicationID
        public var orgNumber: OrgNumber
        public var companyName: String
        /// Base64 of the 32 salt bytes of ``ApplicationReceived/applicant``.
        public var salt: String
        public var status: Status

        public init(application: ApplicationID, orgNumber: OrgNumber, companyName: String, salt: String, status: Status) {
            self.application = application
            self.orgNumber = orgNumber
            self.companyName = companyName
            self.salt = salt
            self.status = status
        }

        /// Whether this opening matches `sealed`, an ``ApplicationReceived/applicant``: false
        /// when the salt is not base64 of 32 bytes or the seal is of someone else.
        public func opens(_ sealed: Digest) -> Bool {
            guard let salt = Data(base64Encoded: salt), salt.count == SealedApplicant.saltLength,
                  let seal = try? SealedApplicant.seal(orgNumber: orgNumber, companyName: companyName, salt: Array(salt))
            else { return false }
            return seal == sealed
        }

        /// Where the application stood at the deadline.
        public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
            /// Received and not withdrawn: it goes on to evaluation.
            case standing
            /// Withdrawn before the deadline.
            case withdrawn
        }
    }
}
