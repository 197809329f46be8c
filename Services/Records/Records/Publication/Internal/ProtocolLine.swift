import Messages

/// Company names learnt from earlier events, so a line can say "Bysykkel AS" where its
/// event names only an application or a dialogue id.
///
/// Applicants are sealed until the deadline: their names are learnt from `intake.closed`,
/// which opens them, and until then a line names the application id only.
struct ProtocolNames {
    private var applications: [ApplicationID: String] = [:]
    /// Each application's sealed ``ApplicationReceived/applicant``, to check its opening.
    private var seals: [ApplicationID: Digest] = [:]
    private var dialogues: [DialogueID: String] = [:]
    /// The published criteria, to name a tie-break criterion.
    private(set) var criteria: [ChallengePublished.Criterion] = []

    mutating func learn(from payload: EventPayload) {
        switch payload {
        case .challengePublished(let published) where criteria.isEmpty:
            criteria = published.criteria
        case .applicationReceived(let received):
            seals[received.application] = received.applicant
        case .intakeClosed(let closed):
            for opened in closed.applicants { applications[opened.application] = opened.companyName }
        case .dialogueOpened(let opened):
            dialogues[opened.dialogue] = opened.companyName
            applications[opened.application] = applications[opened.application] ?? opened.companyName
        default:
            break
        }
    }

    func application(_ id: ApplicationID) -> String {
        applications[id].map { "\($0) (\(id))" } ?? "application \(id)"
    }

    func dialogue(_ id: DialogueID) -> String {
        dialogues[id] ?? "dialogue \(id)"
    }

    /// Whether `opened` opens the seal its application was received with; false when the
    /// record holds no such receipt.
    func opensSeal(_ opened: IntakeClosed.OpenedApplicant) -> Bool {
        seals[opened.application].map(opened.opens) ?? false
    }
}

/// The one-line summary of a decision, and its reason where the event records one.
struct ProtocolLine {
    var summary: String
    var reason: String?

    init(_ payload: EventPayload, names: ProtocolNames) {
        switch payload {
        case .challengePublished(let p):
            summary = "Published “\(p.title)”: \(p.places) places, \(p.criteria.count) award criteria, applications due \(OsloTime.format(p.timeline.applicationDeadline))"
        case .challengeAmended(let a):
            summary = "Amendment \(a.number): \(a.changes)" + (a.newApplicationDeadline.map { "; application deadline now \(OsloTime.format($0))" } ?? "")
            reason = a.reason
        case .interestRegistered(let r):
            summary = "\(r.companyName) registered interest"
        case .questionAnswered(let q):
            summary = "Question \(q.number) answered to all applicants"
        case .applicationReceived(let a):
            summary = "Application \(a.application) received (sealed until the deadline)"
        case .applicationAmended(let a):
            summary = "Application \(a.application) amended (version \(a.version))"
        case .applicationWithdrawn(let w):
            summary = "Application \(w.application) withdrawn"
            reason = w.reason
        case .applicationRejectedLate(let r):
            summary = "Submission from org. no. \(r.orgNumber) rejected as late: received \(OsloTime.format(r.receivedAt)), deadline \(OsloTime.format(r.deadline))"
            reason = "Received after the application deadline; late submissions are rejected without discretion"
        case .intakeClosed(let c):
            let opened = c.applicants.map { a in
                "\(a.companyName) (\(a.application), org. no. \(a.orgNumber)\(a.status == .withdrawn ? ", withdrawn" : ""))"
                    + (names.opensSeal(a) ? "" : " — does not match its sealed receipt")
            }
            summary = "Intake closed at the deadline: \(c.applications) applications, \(c.withdrawn) withdrawn, \(c.rejectedLate) rejected as late"
                + (opened.isEmpty ? "" : "; applicants opened: " + opened.joined(separator: "; "))
        case .panelAssigned(let p):
            summary = "Evaluators \(p.evaluators.joined(separator: ", ")) assigned to \(p.applications.count) applications"
        case .consensusRecorded(let c):
            summary = "Consensus on \(c.criterion) for \(names.application(c.application)): \(PublicationText.points(c.hundredths))"
            reason = c.reason
        case .impartialityDeclared(let d):
            summary = "\(d.evaluator) declared impartiality towards \(names.application(d.application))"
        case .evaluatorRemoved(let r):
            summary = "\(r.evaluator) removed from \(names.application(r.application)) by the officer"
            reason = r.reason
        case .evaluatorRecused(let r):
            summary = "\(r.evaluator) recused from \(names.application(r.application))"
            reason = r.ground
        case .scoresFinalised(let s):
            let ranking = s.results.sorted { $0.rank < $1.rank }.map { "\($0.rank). \(names.application($0.application)) \(PublicationText.points($0.totalHundredths))" }
            summary = "Scores finalised for \(s.results.count) applications: " + ranking.joined(separator: "; ")
            reason = "Weighted consensus scores; price formula \(PublicationText.formula(s.method.priceFormula)); normalisation \(s.method.normalisation ? "on" : "off"); on equal totals \(PublicationText.tieBreak(s.method.tieBreak, criteria: names.criteria))"
        case .shortlistDecided(let s):
            summary = "Shortlist for \(s.places) places: " + s.shortlisted.map(names.application).joined(separator: ", ")
            reason = s.notChosen.isEmpty ? nil : "Not chosen: " + s.notChosen.map { "\(names.application($0.application)): \($0.reason)" }.joined(separator: "; ")
        case .dialogueOpened(let d):
            summary = "Dialogue opened with \(d.companyName) (application \(d.application))"
        case .roundHeld(let r):
            summary = "Round \(r.round) of \(names.dialogue(r.dialogue)) held \(OsloTime.format(r.heldAt)); present: \(r.attendance.joined(separator: ", "))"
        case .complaintRegistered(let c):
            summary = "Complaint \(c.complaint) from org. no. \(c.orgNumber) registered" + (c.award.map { " against award \($0)" } ?? "") + "; signing paused"
            reason = c.summary
        case .complaintResolved(let c):
            summary = "Complaint \(c.complaint) " + (c.outcome == .upheld ? "upheld" + (c.award.map { ": award \($0) annulled, its dialogues negotiate again" } ?? "") : "dismissed")
            reason = c.reason
        case .phaseGateDecided(let g):
            summary = "Phase \(g.phase) of the partnership with \(names.dialogue(g.dialogue)): \(g.decision == .go ? "go" : "stop") at the gate (cost \(g.cost))"
            reason = g.reason
        case .clarificationSent(let c):
            summary = "Clarification notice \(c.number) sent to all \(c.recipients.count) participants at once (\(c.notice))"
        case .pilotDefined(let p):
            summary = "Pilot \(p.pilot) with \(names.dialogue(p.dialogue)) defined: \(p.hypothesis); \(p.metrics.count) metrics, \(p.durationDays) days, cost cap \(p.budgetCap)"
        case .pilotResultRecorded(let r):
            summary = "Pilot \(r.pilot) with \(names.dialogue(r.dialogue)): results recorded, \(r.outcomes.filter(\.met).count) of \(r.outcomes.count) metrics met"
        case .pilotDecided(let d):
            summary = "Pilot \(d.pilot) with \(names.dialogue(d.dialogue)): \(d.decision == .go ? "go" : "no-go")" + (d.override ? " (overriding the metrics)" : "")
            reason = d.reason
        case .offerReceived(let o):
            summary = "Offer version \(o.version) received from \(names.dialogue(o.dialogue))"
        case .awardDecided(let a):
            summary = (a.award.map { "Award \($0) decided: " } ?? "Award decided: ") + a.decisions.map { d in
                "\(d.companyName) — \(PublicationText.kind(d.kind))" + (d.value.map { ", \($0)" } ?? "")
            }.joined(separator: "; ")
            reason = a.decisions.map { "\($0.companyName): \($0.reason)" }.joined(separator: "; ")
        case .standstillStarted(let s):
            summary = "Standstill period" + (s.award.map { " of award \($0)" } ?? "") + " from \(OsloTime.format(s.start)) to \(OsloTime.format(s.end))"
        case .standstillEnded(let s):
            summary = "Standstill period" + (s.award.map { " of award \($0)" } ?? "") + " ended \(OsloTime.format(s.end))"
        case .agreementSigned(let a):
            summary = "Agreement signed with \(a.companyName): \(PublicationText.kind(a.kind)), \(a.value)" + (a.phases.map { ", \($0.count) phases" } ?? "")
        case .dialogueEndedWithoutAgreement(let d):
            summary = "Dialogue with \(d.companyName) ended without agreement"
            reason = d.reason
        case .confidentialDataAccessed(let c):
            summary = "\(c.reader.subject) (\(c.reader.role.rawValue)) opened \(c.ref) for \(c.purpose)"
        case .confidentialDataShredded(let s):
            summary = "A startup's confidential data shredded at the request of \(s.requestedBy == .officer ? "an officer" : "the startup") (\(s.refs) deposits; owner sealed as \(s.owner))"
            reason = s.reason
        }
    }
}
