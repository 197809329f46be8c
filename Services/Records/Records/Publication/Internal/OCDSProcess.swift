import Messages

/// The public state of one contracting process, folded event by event; ``apply(_:)`` answers
/// the release an event gives rise to, if any.
struct OCDSProcess {
    let ocid: String
    let challenge: ChallengeID
    private var buyer: OCDSOrganization?
    private var tender: OCDSTender?
    /// The applications standing at the deadline, in order of receipt. Applicants are sealed
    /// until then: only `intake.closed` opens who they are.
    private var tenderers: [IntakeClosed.OpenedApplicant] = []
    /// The sealed applicant digest each application was received with.
    private var seals: [ApplicationID: Digest] = [:]
    private var suppliers: [OrgNumber: String] = [:]
    private var awards: [OCDSAward] = []
    private var contracts: [OCDSContract] = []

    init(ocid: String, challenge: ChallengeID) {
        self.ocid = ocid
        self.challenge = challenge
    }

    mutating func apply(_ event: ProcurementEvent) -> OCDSRelease? {
        switch event.payload {
        case .challengePublished(let p) where tender == nil:
            buyer = Self.organization(p.buyer.orgNumber, p.buyer.name, roles: ["buyer"])
            tender = Self.tender(challenge, p, publishedAt: event.time)
            return release(event, [.tender], tender: true)
        case .challengeAmended(let a) where tender != nil:
            let amendment = OCDSAmendment(id: "amendment-\(a.number)", date: event.time, rationale: a.reason, description: a.changes)
            let amendments = (tender?.amendments ?? []) + [amendment]
            tender?.amendments = amendments
            if let deadline = a.newApplicationDeadline { tender?.tenderPeriod?.endDate = deadline }
            return release(event, [.tenderAmendment], tender: true)
        case .applicationReceived(let r):
            seals[r.application] = r.applicant
            return nil
        case .intakeClosed(let c) where tender != nil:
            // Only an opening that matches its seal is published as a tenderer: a name the
            // record cannot tie to a receipt is not one.
            tenderers = c.applicants.filter { $0.status == .standing && seals[$0.application].map($0.opens) == true }
            tender?.numberOfTenderers = tenderers.count
            tender?.tenderers = tenderers.map { Self.reference($0.orgNumber, $0.companyName) }
            return release(event, [.tenderUpdate], tender: true)
        case .awardDecided(let a):
            for d in a.decisions where d.kind != .none {
                suppliers[d.orgNumber] = d.companyName
                upsert(&awards, OCDSAward(id: Self.awardID(d.dialogue), title: "\(PublicationText.kind(d.kind).capitalisingFirst) with \(d.companyName)", status: "pending", date: event.time, value: d.value.map(OCDSValue.init), suppliers: [Self.reference(d.orgNumber, d.companyName)]), id: \.id)
            }
            tender?.status = a.decisions.contains { $0.kind != .none } ? "complete" : "unsuccessful"
            return release(event, tender == nil ? [.award] : [.award, .tenderUpdate], tender: tender != nil, awards: true)
        case .standstillEnded:
            guard activatePendingAwards() else { return nil }
            return release(event, [.awardUpdate], awards: true)
        case .agreementSigned(let s):
            suppliers[s.orgNumber] = s.companyName
            let milestones = s.phases?.enumerated().map { i, phase in
                OCDSMilestone(id: "phase-\(i + 1)", title: phase.name, type: "assessment", description: "Stop/go gate. Targets: \(phase.targets.joined(separator: "; ")). Cost cap \(phase.costCap).", dueDate: phase.gate, status: "scheduled")
            }
            upsert(&contracts, OCDSContract(id: "contract-\(s.dialogue)", awardID: Self.awardID(s.dialogue), title: "\(PublicationText.kind(s.kind).capitalisingFirst) with \(s.companyName)", status: "active", value: OCDSValue(s.value), dateSigned: event.time, milestones: milestones), id: \.id)
            // Signing is refused before the standstill ends, so a pending award is active now.
            let awardsChanged = activatePendingAwards()
            return release(event, awardsChanged ? [.contract, .awardUpdate] : [.contract], awards: awardsChanged, contracts: true)
        case .dialogueEndedWithoutAgreement(let d):
            let id = Self.awardID(d.dialogue)
            guard let i = awards.firstIndex(where: { $0.id == id }), !contracts.contains(where: { $0.awardID == id }) else { return nil }
            awards[i].status = "cancelled"
            return release(event, [.awardCancellation], awards: true)
        default:
            return nil
        }
    }

    /// Everything as it stands now.
    func compiledRelease(date: Timestamp) -> OCDSRelease {
        OCDSRelease(ocid: ocid, id: "\(ocid)-\(date.iso8601)", date: date, tag: [.compiled], parties: parties, buyer: buyerReference, tender: tender, awards: awards.isEmpty ? nil : awards, contracts: contracts.isEmpty ? nil : contracts)
    }

    // MARK: Building blocks

    private func release(_ event: ProcurementEvent, _ tag: [OCDSReleaseTag], tender includeTender: Bool = false, awards includeAwards: Bool = false, contracts includeContracts: Bool = false) -> OCDSRelease {
        OCDSRelease(ocid: ocid, id: event.id.rawValue, date: event.time, tag: tag, parties: parties, buyer: buyerReference,
                    tender: includeTender ? tender : nil, awards: includeAwards ? awards : nil, contracts: includeContracts ? contracts : nil)
    }

    private var buyerReference: OCDSOrganizationReference? {
        buyer.map { OCDSOrganizationReference(id: $0.id, name: $0.name) }
    }

    /// The buyer, then the tenderers (once opened) in order of receipt, then any supplier not
    /// among them.
    private var parties: [OCDSOrganization] {
        var out = buyer.map { [$0] } ?? []
        var listed: Set<OrgNumber> = []
        for a in tenderers where listed.insert(a.orgNumber).inserted {
            out.append(Self.organization(a.orgNumber, a.companyName, roles: suppliers[a.orgNumber] == nil ? ["tenderer"] : ["tenderer", "supplier"]))
        }
        for (org, name) in suppliers.sorted(by: { $0.key < $1.key }) where !listed.contains(org) {
            out.append(Self.organization(org, name, roles: ["supplier"]))
        }
        return out
    }

    private mutating func activatePendingAwards() -> Bool {
        var changed = false
        for i in awards.indices where awards[i].status == "pending" {
            awards[i].status = "active"
            changed = true
        }
        return changed
    }

    /// Replaces the element with `item`'s id, or appends `item`.
    private func upsert<T>(_ list: inout [T], _ item: T, id: KeyPath<T, String>) {
        if let i = list.firstIndex(where: { $0[keyPath: id] == item[keyPath: id] }) { list[i] = item } else { list.append(item) }
    }

    private static func awardID(_ dialogue: DialogueID) -> String { "award-\(dialogue)" }

    /// org-id.guide's scheme for the Brønnøysund Register Centre (Enhetsregisteret).
    private static let scheme = "NO-BRC"

    private static func organization(_ org: OrgNumber, _ name: String, roles: [String]) -> OCDSOrganization {
        OCDSOrganization(id: "\(scheme)-\(org)", name: name, identifier: OCDSIdentifier(scheme: scheme, id: org.rawValue, legalName: name), roles: roles)
    }

    private static func reference(_ org: OrgNumber, _ name: String) -> OCDSOrganizationReference {
        OCDSOrganizationReference(id: "\(scheme)-\(org)", name: name)
    }

    private static func tender(_ challenge: ChallengeID, _ p: ChallengePublished, publishedAt: Timestamp) -> OCDSTender {
        let prices = p.criteria.filter(\.isPrice).count
        let code = prices == 0 ? "qualityOnly" : prices == p.criteria.count ? "priceOnly" : "ratedCriteria"
        let details = "\(PublicationText.criteria(p.criteria)). "
            + PublicationText.method(scale: p.scale, priceFormula: p.priceFormula, normalisation: p.normalisation, tieBreak: p.tieBreak, criteria: p.criteria)
        let breakdown = p.criteria.map { c in
            OCDSAwardCriterion(type: c.isPrice ? "price" : "quality", name: c.name,
                               description: c.isPrice ? "Price formula \(PublicationText.formula(p.priceFormula))" : nil,
                               numbers: [OCDSCriterionNumber(number: c.weight, weight: "percentageExact")])
        }
        return OCDSTender(
            id: challenge.rawValue, title: p.title, description: p.summary, status: "active",
            value: p.budget.map(OCDSValue.init), procurementMethod: "selective",
            procurementMethodDetails: "Innovation challenge: open call, shortlist of \(p.places) for confidential dialogue and pilots",
            awardCriteria: code, awardCriteriaDetails: details,
            enquiryPeriod: OCDSPeriod(startDate: publishedAt, endDate: p.timeline.questionsDeadline),
            tenderPeriod: OCDSPeriod(startDate: publishedAt, endDate: p.timeline.applicationDeadline),
            lots: [OCDSLot(id: "1", title: p.title, awardCriteria: OCDSAwardCriteria(criteria: breakdown))])
    }
}

extension String {
    fileprivate var capitalisingFirst: String { prefix(1).uppercased() + dropFirst() }
}
