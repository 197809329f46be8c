public import Foundation

extension RecordsAPI {
    /// A challenge's procurement protocol (FOA § 7-1): every decision with when, by whom and
    /// why, derived from the record, as structured JSON and as Markdown.
    public static let getProtocol = Method<GetProtocolRequest, ProcurementProtocol>(service: service, name: "GetProtocol", kind: .idempotent, access: .roles([.officer, .auditor]))
    /// An OCDS 1.1 record package of a challenge, for publication: public information only.
    public static let exportOCDS = Method<ExportOCDSRequest, OCDSRecordPackage>(service: service, name: "ExportOCDS", kind: .idempotent, access: .everyone)
}

public struct GetProtocolRequest: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

/// The procurement protocol of one challenge, derived from its record entries in log order.
///
/// Each decision names the log index of its entry, so every line can be checked against a
/// signed checkpoint with an inclusion proof.
public struct ProcurementProtocol: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    /// The published title; nil while the record holds no publication of the challenge.
    public var title: String?
    /// In log order. Vault reads and interest registrations are counted, not listed: they are
    /// facts around the procurement, not its decisions, and may number in the hundreds.
    public var decisions: [ProtocolDecision]
    /// How many times confidential data of this challenge was opened under a grant.
    public var confidentialAccesses: Int
    /// How many companies registered interest (and so received every amendment).
    public var interestRegistrations: Int
    /// The same protocol for people: terms as published and a table of decisions.
    public var markdown: String

    public init(challenge: ChallengeID, title: String?, decisions: [ProtocolDecision], confidentialAccesses: Int, interestRegistrations: Int, markdown: String) {
        self.challenge = challenge
        self.title = title
        self.decisions = decisions
        self.confidentialAccesses = confidentialAccesses
        self.interestRegistrations = interestRegistrations
        self.markdown = markdown
    }
}

/// One line of a ``ProcurementProtocol``.
public struct ProtocolDecision: Codable, Sendable, Hashable {
    /// The entry's index in the log.
    public var index: Int64
    public var event: EventID
    public var time: Timestamp
    public var actor: Actor
    public var type: EventType
    /// What was decided, in one line.
    public var summary: String
    /// Why, where the event records a reason.
    public var reason: String?

    public init(index: Int64, event: EventID, time: Timestamp, actor: Actor, type: EventType, summary: String, reason: String? = nil) {
        self.index = index
        self.event = event
        self.time = time
        self.actor = actor
        self.type = type
        self.summary = summary
        self.reason = reason
    }
}

public struct ExportOCDSRequest: Codable, Sendable, Hashable {
    public var challenge: ChallengeID
    public init(challenge: ChallengeID) { self.challenge = challenge }
}

// MARK: - OCDS 1.1 record package

/// An Open Contracting Data Standard 1.1 record package: one record per contracting process,
/// each with its releases embedded and a compiled release.
///
/// Only the fields this system publishes are modelled; absent values are left out, never
/// `null`. Amounts are ``OCDSValue``s whose `amount` is an exact decimal of kroner.
public struct OCDSRecordPackage: Codable, Sendable, Hashable {
    public var uri: String
    /// "1.1".
    public var version: String
    /// URLs of the `extension.json` of each OCDS extension used.
    public var extensions: [String]?
    public var publishedDate: Timestamp
    public var publisher: OCDSPublisher
    public var records: [OCDSRecord]

    public init(uri: String, version: String = "1.1", extensions: [String]? = nil, publishedDate: Timestamp, publisher: OCDSPublisher, records: [OCDSRecord]) {
        self.uri = uri
        self.version = version
        self.extensions = extensions
        self.publishedDate = publishedDate
        self.publisher = publisher
        self.records = records
    }
}

public struct OCDSPublisher: Codable, Sendable, Hashable {
    public var name: String
    public init(name: String) { self.name = name }
}

public struct OCDSRecord: Codable, Sendable, Hashable {
    public var ocid: String
    /// Oldest first.
    public var releases: [OCDSRelease]
    public var compiledRelease: OCDSRelease
    public init(ocid: String, releases: [OCDSRelease], compiledRelease: OCDSRelease) {
        self.ocid = ocid
        self.releases = releases
        self.compiledRelease = compiledRelease
    }
}

/// The OCDS release tag codelist.
public enum OCDSReleaseTag: String, Codable, Sendable, Hashable, CaseIterable {
    case planning, planningUpdate, tender, tenderAmendment, tenderUpdate, tenderCancellation
    case award, awardUpdate, awardCancellation, contract, contractUpdate, contractAmendment
    case implementation, implementationUpdate, contractTermination, compiled
}

/// The state of a contracting process at one point in time (or, compiled, now).
public struct OCDSRelease: Codable, Sendable, Hashable {
    public var ocid: String
    public var id: String
    public var date: Timestamp
    public var tag: [OCDSReleaseTag]
    /// Always "tender".
    public var initiationType: String
    public var language: String?
    public var parties: [OCDSOrganization]?
    public var buyer: OCDSOrganizationReference?
    public var tender: OCDSTender?
    public var awards: [OCDSAward]?
    public var contracts: [OCDSContract]?

    public init(ocid: String, id: String, date: Timestamp, tag: [OCDSReleaseTag], initiationType: String = "tender", language: String? = "en", parties: [OCDSOrganization]? = nil, buyer: OCDSOrganizationReference? = nil, tender: OCDSTender? = nil, awards: [OCDSAward]? = nil, contracts: [OCDSContract]? = nil) {
        self.ocid = ocid
        self.id = id
        self.date = date
        self.tag = tag
        self.initiationType = initiationType
        self.language = language
        self.parties = parties
        self.buyer = buyer
        self.tender = tender
        self.awards = awards
        self.contracts = contracts
    }
}

/// A party to the process; `id` is `NO-BRC-<organisation number>` (org-id.guide's scheme for
/// the Brønnøysund Register Centre), and `roles` uses the partyRole codelist.
public struct OCDSOrganization: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var identifier: OCDSIdentifier?
    public var roles: [String]
    public init(id: String, name: String, identifier: OCDSIdentifier?, roles: [String]) {
        self.id = id
        self.name = name
        self.identifier = identifier
        self.roles = roles
    }
}

public struct OCDSIdentifier: Codable, Sendable, Hashable {
    public var scheme: String
    public var id: String
    public var legalName: String?
    public init(scheme: String, id: String, legalName: String?) {
        self.scheme = scheme
        self.id = id
        self.legalName = legalName
    }
}

public struct OCDSOrganizationReference: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct OCDSTender: Codable, Sendable, Hashable {
    public var id: String
    public var title: String?
    public var description: String?
    /// tenderStatus codelist: active, complete, unsuccessful, …
    public var status: String?
    public var value: OCDSValue?
    /// method codelist: open, selective, limited, direct.
    public var procurementMethod: String?
    public var procurementMethodDetails: String?
    /// awardCriteria codelist: priceOnly, qualityOnly, ratedCriteria, …
    public var awardCriteria: String?
    /// The criteria, weights, scale, price formula and tie-break rule in words.
    public var awardCriteriaDetails: String?
    public var enquiryPeriod: OCDSPeriod?
    public var tenderPeriod: OCDSPeriod?
    public var numberOfTenderers: Int?
    public var tenderers: [OCDSOrganizationReference]?
    public var amendments: [OCDSAmendment]?
    /// One lot carrying the structured award criteria (lots and award criteria breakdown
    /// extensions).
    public var lots: [OCDSLot]?

    public init(id: String, title: String? = nil, description: String? = nil, status: String? = nil, value: OCDSValue? = nil, procurementMethod: String? = nil, procurementMethodDetails: String? = nil, awardCriteria: String? = nil, awardCriteriaDetails: String? = nil, enquiryPeriod: OCDSPeriod? = nil, tenderPeriod: OCDSPeriod? = nil, numberOfTenderers: Int? = nil, tenderers: [OCDSOrganizationReference]? = nil, amendments: [OCDSAmendment]? = nil, lots: [OCDSLot]? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.status = status
        self.value = value
        self.procurementMethod = procurementMethod
        self.procurementMethodDetails = procurementMethodDetails
        self.awardCriteria = awardCriteria
        self.awardCriteriaDetails = awardCriteriaDetails
        self.enquiryPeriod = enquiryPeriod
        self.tenderPeriod = tenderPeriod
        self.numberOfTenderers = numberOfTenderers
        self.tenderers = tenderers
        self.amendments = amendments
        self.lots = lots
    }
}

/// An amount: `amount` is the exact decimal (kroner with øre as two decimals), so it encodes
/// as a JSON number without binary floating-point error.
public struct OCDSValue: Codable, Sendable, Hashable {
    public var amount: Decimal
    public var currency: String

    public init(amount: Decimal, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// NOK from øre: 150000050 øre becomes 1500000.50.
    public init(_ money: Money) {
        self.amount = Decimal(sign: money.ore < 0 ? .minus : .plus, exponent: -2, significand: Decimal(money.ore.magnitude))
        self.currency = "NOK"
    }
}

public struct OCDSPeriod: Codable, Sendable, Hashable {
    public var startDate: Timestamp?
    public var endDate: Timestamp?
    public init(startDate: Timestamp?, endDate: Timestamp?) {
        self.startDate = startDate
        self.endDate = endDate
    }
}

public struct OCDSAmendment: Codable, Sendable, Hashable {
    public var id: String
    public var date: Timestamp
    public var rationale: String?
    public var description: String?
    public init(id: String, date: Timestamp, rationale: String?, description: String?) {
        self.id = id
        self.date = date
        self.rationale = rationale
        self.description = description
    }
}

public struct OCDSLot: Codable, Sendable, Hashable {
    public var id: String
    public var title: String?
    public var awardCriteria: OCDSAwardCriteria?
    public init(id: String, title: String?, awardCriteria: OCDSAwardCriteria?) {
        self.id = id
        self.title = title
        self.awardCriteria = awardCriteria
    }
}

/// The award criteria breakdown extension's `AwardCriteria`.
public struct OCDSAwardCriteria: Codable, Sendable, Hashable {
    public var criteria: [OCDSAwardCriterion]
    public init(criteria: [OCDSAwardCriterion]) { self.criteria = criteria }
}

public struct OCDSAwardCriterion: Codable, Sendable, Hashable {
    /// awardCriterionType codelist: price, cost, quality.
    public var type: String
    public var name: String
    public var description: String?
    public var numbers: [OCDSCriterionNumber]
    public init(type: String, name: String, description: String?, numbers: [OCDSCriterionNumber]) {
        self.type = type
        self.name = name
        self.description = description
        self.numbers = numbers
    }
}

public struct OCDSCriterionNumber: Codable, Sendable, Hashable {
    public var number: Int
    /// criterionWeight codelist, e.g. percentageExact.
    public var weight: String
    public init(number: Int, weight: String) {
        self.number = number
        self.weight = weight
    }
}

public struct OCDSAward: Codable, Sendable, Hashable {
    public var id: String
    public var title: String?
    /// awardStatus codelist: pending (in standstill), active, cancelled, unsuccessful.
    public var status: String
    public var date: Timestamp?
    public var value: OCDSValue?
    public var suppliers: [OCDSOrganizationReference]?
    public init(id: String, title: String?, status: String, date: Timestamp?, value: OCDSValue?, suppliers: [OCDSOrganizationReference]?) {
        self.id = id
        self.title = title
        self.status = status
        self.date = date
        self.value = value
        self.suppliers = suppliers
    }
}

public struct OCDSContract: Codable, Sendable, Hashable {
    public var id: String
    public var awardID: String
    public var title: String?
    /// contractStatus codelist: pending, active, cancelled, terminated.
    public var status: String
    public var value: OCDSValue?
    public var dateSigned: Timestamp?
    public var milestones: [OCDSMilestone]?
    public init(id: String, awardID: String, title: String?, status: String, value: OCDSValue?, dateSigned: Timestamp?, milestones: [OCDSMilestone]?) {
        self.id = id
        self.awardID = awardID
        self.title = title
        self.status = status
        self.value = value
        self.dateSigned = dateSigned
        self.milestones = milestones
    }
}

public struct OCDSMilestone: Codable, Sendable, Hashable {
    public var id: String
    public var title: String?
    /// milestoneType codelist, e.g. assessment for a stop/go gate.
    public var type: String?
    public var description: String?
    public var dueDate: Timestamp?
    /// milestoneStatus codelist: scheduled, met, notMet, partiallyMet.
    public var status: String?
    public init(id: String, title: String?, type: String?, description: String?, dueDate: Timestamp?, status: String?) {
        self.id = id
        self.title = title
        self.type = type
        self.description = description
        self.dueDate = dueDate
        self.status = status
    }
}
