import Foundation
import Messages
import RPC
import Testing

@Suite("Event vocabulary")
struct EventVocabularyTests {
    static let story = AcceleratorStory()

    /// One event of each type, from the story.
    static func sample(_ type: EventType) -> ProcurementEvent {
        story.events.first { $0.type == type }!
    }

    @Test func everyTypeHasAPayloadAndASample() {
        #expect(Set(Self.story.events.map(\.type)) == Set(EventType.allCases))
        for event in Self.story.events {
            #expect(type(of: event.payload.body).eventType == event.type)
        }
    }

    @Test("encode, decode, encode gives the same bytes", arguments: EventType.allCases)
    func canonicalRoundTrip(_ type: EventType) throws {
        let event = Self.sample(type)
        let bytes = try event.canonicalBytes()
        let decoded = try JSONCoding.decoder().decode(ProcurementEvent.self, from: Data(bytes))
        #expect(decoded == event)
        #expect(decoded.type == type)
        #expect(try decoded.canonicalBytes() == bytes)
        // Canonicalising the text as plain JSON changes nothing either: keys sorted, no spaces.
        #expect(Array(try CanonicalJSON.canonicalize(Data(bytes))) == bytes)
    }

    @Test("no floating point on the wire", arguments: EventType.allCases)
    func integersOnly(_ type: EventType) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(Self.sample(type).canonicalBytes()))
        func numbers(_ v: JSONValue) -> [Double] {
            switch v {
            case .number(let n): [n]
            case .array(let items): items.flatMap(numbers)
            case .object(let members): members.values.flatMap(numbers)
            default: []
            }
        }
        #expect(numbers(value).isEmpty)
    }

    @Test func wireShapeIsExact() throws {
        let event = ProcurementEvent(
            id: EventID("evt-1")!, challenge: ChallengeID("c-1")!, actor: Actor(subject: "kari", role: .officer),
            time: Timestamp(iso8601: "2026-03-02T09:00:00Z")!,
            payload: .standstillStarted(StandstillStarted(start: Timestamp(iso8601: "2026-05-21T09:00:00Z")!, end: Timestamp(iso8601: "2026-05-31T09:00:00Z")!)))
        let text = String(decoding: try event.canonicalBytes(), as: UTF8.self)
        #expect(text == #"{"actor":{"role":"officer","subject":"kari"},"challenge":"c-1","id":"evt-1","payload":{"end":"2026-05-31T09:00:00.000Z","start":"2026-05-21T09:00:00.000Z"},"time":"2026-03-02T09:00:00.000Z","type":"standstill.started"}"#)
    }

    @Test func optionalFieldsAreLeftOutNotNull() throws {
        let text = String(decoding: try Self.sample(.applicationWithdrawn).canonicalBytes(), as: UTF8.self)
        #expect(!text.contains("null"))
        let amended = ProcurementEvent(challenge: AcceleratorStory.challenge, actor: Self.story.officer, time: Self.story.base,
                                       payload: .challengeAmended(ChallengeAmended(number: 2, reason: "r", changes: "c")))
        #expect(!String(decoding: try amended.canonicalBytes(), as: UTF8.self).contains("newApplicationDeadline"))
        // An explicit null for an optional field is the same as leaving it out.
        var json = try jsonObject(amended)
        json["payload"] = .object(["number": .integer(2), "reason": .string("r"), "changes": .string("c"), "newApplicationDeadline": .null])
        #expect(try decode(.object(json)) == amended)
    }

    /// Decoding a payload under another type's name fails, naming `payload`. Only the two
    /// standstill events share a shape; there the type alone tells them apart.
    @Test("a payload under another type is refused", arguments: EventType.allCases)
    func mismatchRefused(_ actual: EventType) throws {
        var json = try jsonObject(Self.sample(actual))
        for claimed in EventType.allCases where claimed != actual {
            json["type"] = .string(claimed.rawValue)
            let sameShape: Set<EventType> = [.standstillStarted, .standstillEnded]
            if sameShape.contains(actual) && sameShape.contains(claimed) {
                #expect(try decode(.object(json)).type == claimed)
                continue
            }
            let error = try #require(throws: DecodingError.self, "\(actual) as \(claimed)") { try decode(.object(json)) }
            #expect(path(of: error).hasPrefix("payload"), "\(actual) as \(claimed): \(path(of: error))")
        }
    }

    @Test func unknownFieldsAreRefusedByPath() throws {
        var json = try jsonObject(Self.sample(.challengePublished))
        guard case .object(var payload) = json["payload"], case .array(var criteria) = payload["criteria"], case .object(var first) = criteria[0] else {
            Issue.record("unexpected shape")
            return
        }
        first["colour"] = .string("red")
        criteria[0] = .object(first)
        payload["criteria"] = .array(criteria)
        json["payload"] = .object(payload)
        let nested = try #require(throws: DecodingError.self) { try decode(.object(json)) }
        #expect(path(of: nested) == "payload.criteria[0].colour")

        var top = try jsonObject(Self.sample(.intakeClosed))
        top["note"] = .string("hello")
        let outer = try #require(throws: DecodingError.self) { try decode(.object(top)) }
        #expect(path(of: outer) == "note")
    }

    @Test func theOldApplicationShapesAreRefused() throws {
        var json = try jsonObject(Self.sample(.applicationReceived))
        guard case .object(var payload) = json["payload"] else {
            Issue.record("unexpected shape")
            return
        }
        payload["orgNumber"] = .string("920000010")
        json["payload"] = .object(payload)
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(json)) }) == "payload.orgNumber")
        // A commitment with its salt, as it used to be recorded.
        payload["orgNumber"] = nil
        payload["commitment"] = .object(["digest": payload["commitment"]!, "salt": .string("q83vEjRWeJCrze8SNFZ4kA==")])
        json["payload"] = .object(payload)
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(json)) }) == "payload.commitment")

        var closed = try jsonObject(Self.sample(.intakeClosed))
        guard case .object(var members) = closed["payload"], case .array(var applicants) = members["applicants"], case .object(var first) = applicants[0] else {
            Issue.record("unexpected shape")
            return
        }
        first["contact"] = .string("kari@example.no")
        applicants[0] = .object(first)
        members["applicants"] = .array(applicants)
        closed["payload"] = .object(members)
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(closed)) }) == "payload.applicants[0].contact")
    }

    /// Tenders stay confidential until the deadline: no application event names an applicant
    /// or holds a Vault salt, and the closing opens every seal, in order of receipt.
    @Test func applicantsAreSealedUntilTheClosingOpensThem() throws {
        let events = Self.story.events
        let closing = try #require(events.firstIndex { $0.type == .intakeClosed })
        let sealedTypes: Set<EventType> = [.applicationReceived, .applicationAmended, .applicationWithdrawn]
        for event in events[..<closing] where sealedTypes.contains(event.type) {
            let text = String(decoding: try event.canonicalBytes(), as: UTF8.self)
            for startup in Self.story.startups {
                #expect(!text.contains(startup.name) && !text.contains(startup.org.rawValue), "\(text)")
            }
            #expect(!text.contains("salt"), "\(text)")
        }
        guard case .intakeClosed(let closed) = events[closing].payload else { return }
        let received = events.compactMap { event -> ApplicationReceived? in
            if case .applicationReceived(let received) = event.payload { received } else { nil }
        }
        #expect(closed.applicants.map(\.application) == received.map(\.application))
        #expect(closed.applicants.map(\.status) == [.standing, .standing, .standing, .standing, .standing, .withdrawn])
        for (opened, seal) in zip(closed.applicants, received.map(\.applicant)) {
            #expect(opened.opens(seal))
        }
        #expect(!closed.applicants[0].opens(received[1].applicant))
    }

    @Test func missingPayloadOrUnknownTypeIsNamed() throws {
        var json = try jsonObject(Self.sample(.intakeClosed))
        json["payload"] = nil
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(json)) }) == "payload")
        json = try jsonObject(Self.sample(.intakeClosed))
        json["type"] = .string("intake.reopened")
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(json)) }) == "type")
        json = try jsonObject(Self.sample(.evaluatorRecused))
        json["type"] = .string(EventType.impartialityDeclared.rawValue)
        #expect(path(of: try #require(throws: DecodingError.self) { try decode(.object(json)) }) == "payload.ground")
    }

    @Test func appendRequestNamesTheFieldForTheCaller() throws {
        var event = try jsonObject(Self.sample(.evaluatorRecused))
        event["type"] = .string(EventType.applicationReceived.rawValue)
        let body = try CanonicalJSON.encode(JSONValue.object(["event": .object(event)]))
        let error = try #require(throws: DecodingError.self) { try JSONCoding.decoder().decode(AppendRequest.self, from: body) }
        #expect(path(of: error).hasPrefix("event.payload"))
    }

    // MARK: Helpers

    private func jsonObject(_ event: ProcurementEvent) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONDecoder().decode(JSONValue.self, from: Data(event.canonicalBytes())) else { return [:] }
        return members
    }

    private func decode(_ value: JSONValue) throws -> ProcurementEvent {
        try JSONCoding.decoder().decode(ProcurementEvent.self, from: CanonicalJSON.encode(value))
    }

    /// The field path the RPC layer would report for this error.
    private func path(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): JSONWire.path(context.codingPath + [key])
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context): JSONWire.path(context.codingPath)
        @unknown default: ""
        }
    }
}

/// A whole accelerator round as its services would record it: a challenge with 4 places,
/// 6 applications (sealed until the closing opens them; one withdrawn) and one late,
/// impartiality and a recusal, scores, a shortlist of 4, dialogue, a clarification, a pilot,
/// an award, the standstill, two agreements signed and two dialogues ended without one.
/// Every event type occurs.
///
/// Confidential values are planted so tests can show they never reach a public export: all
/// vault refs, digests, salts, grant ids and people's subjects are listed in ``secrets``, and
/// texts that are not public contain the word "canary".
struct AcceleratorStory: Sendable {
    static let challenge = ChallengeID("smart-mobility-2026")!
    static let buyer = ChallengePublished.Buyer(orgNumber: OrgNumber("958935420")!, name: "Oslo kommune")

    struct Startup: Sendable {
        var application: ApplicationID
        var org: OrgNumber
        var name: String
    }

    let base = Timestamp(iso8601: "2026-03-02T09:00:00Z")!
    let officer = Actor(subject: "kari.officer", role: .officer)
    let intake = Actor(subject: "tender-intake", role: .service)
    let vault = Actor(subject: "tender-vault", role: .service)
    let evaluators = [Actor(subject: "canary-eval-ingrid", role: .evaluator), Actor(subject: "canary-eval-ola", role: .evaluator)]
    let startups: [Startup] = [
        ("bysykkel", "920000010", "Bysykkel Labs AS"), ("fjord", "920000029", "Fjord Sensor AS"),
        ("nordlys", "920000037", "Nordlys Data AS"), ("trikk", "920000045", "Trikk Analytics AS"),
        ("sno", "920000053", "Snø Robotics AS"), ("regn", "920000061", "Regn AS"),
    ].map { Startup(application: ApplicationID("app-\($0.0)")!, org: OrgNumber($0.1)!, name: $0.2) }
    let lateOrg = OrgNumber("920000088")!
    let dialogues = (1...4).map { DialogueID("dlg-\($0)")! }

    /// The two agreements' values: NOK 1 234 567,89 and NOK 500 000,50.
    let partnershipValue = Money(ore: 123_456_789)
    let purchaseValue = Money(ore: 50_000_050)
    let budget = Money(kroner: 3_000_000)

    private(set) var events: [ProcurementEvent] = []
    private(set) var secrets: [String] = []

    var entries: [RecordEntry] {
        events.enumerated().map { i, event in
            RecordEntry(index: Int64(i), leaf: Data((try? event.canonicalBytes()) ?? []).base64EncodedString(), event: event)
        }
    }

    var published: ChallengePublished {
        guard case .challengePublished(let published) = events[0].payload else { preconditionFailure("the story starts with the publication") }
        return published
    }

    init() {
        for actor in evaluators { secrets.append(actor.subject) }
        secrets += [officer.subject, intake.subject, vault.subject]
        let criteria = [
            ChallengePublished.Criterion(id: "quality", name: "Quality of the solution", weight: 40),
            ChallengePublished.Criterion(id: "team", name: "Team and capacity", weight: 20),
            ChallengePublished.Criterion(id: "climate", name: "Climate impact", weight: 10),
            ChallengePublished.Criterion(id: "price", name: "Price", weight: 30, isPrice: true),
        ]
        add(officer, 0, .challengePublished(ChallengePublished(
            title: "Smarter mobility for the outer districts", summary: "Residents far from the metro need first- and last-mile options.",
            buyer: Self.buyer, criteria: criteria, scale: .init(min: 0, max: 10), priceFormula: .linear, normalisation: true,
            tieBreak: .init(rule: .highestOnCriterion, criterion: "quality"), places: 4,
            timeline: .init(questionsDeadline: at(14), applicationDeadline: at(21), dialogueStart: at(35), dialogueEnd: at(95)),
            budget: budget)))
        add(startupActor(0), 1, .interestRegistered(InterestRegistered(orgNumber: startups[0].org, companyName: startups[0].name)))
        add(startupActor(1), 1, .interestRegistered(InterestRegistered(orgNumber: startups[1].org, companyName: startups[1].name)))
        add(officer, 5, .questionAnswered(QuestionAnswered(number: 1, question: "Is real-time data available?", answer: "Yes, through the open interface.")))
        add(officer, 7, .challengeAmended(ChallengeAmended(number: 1, reason: "Questions showed the data interface was described unclearly",
                                                          changes: "Data interface clarified; one more week to apply", newApplicationDeadline: at(28))))
        for (i, startup) in startups.enumerated() {
            add(intake, 10 + i, .applicationReceived(ApplicationReceived(application: startup.application, applicant: sealed(i), commitment: commitment(i).digest, vaultRef: ref(i))))
        }
        add(intake, 17, .applicationAmended(ApplicationAmended(application: startups[1].application, version: 2, commitment: commitment(20).digest, vaultRef: ref(20))))
        add(intake, 18, .applicationWithdrawn(ApplicationWithdrawn(application: startups[5].application, reason: "Team committed elsewhere")))
        add(vault, 18, hours: 1, .confidentialDataShredded(ConfidentialDataShredded(owner: ConfidentialDataShredded.sealOwner(startups[5].org, salt: Array(repeating: 5, count: 32)), refs: 1, reason: "withdrawn", requestedBy: .startup)))
        let opened = startups.enumerated().map { i, startup in
            IntakeClosed.OpenedApplicant(application: startup.application, orgNumber: startup.org, companyName: startup.name,
                                         salt: Data(applicantSalt(i)).base64EncodedString(), status: i == 5 ? .withdrawn : .standing)
        }
        add(intake, 28, .intakeClosed(IntakeClosed(deadline: at(28), applications: 5, withdrawn: 1, rejectedLate: 1, applicants: opened)))
        add(intake, 28, hours: 1, .applicationRejectedLate(ApplicationRejectedLate(orgNumber: lateOrg, receivedAt: at(28, hours: 1), deadline: at(28))))
        add(officer, 29, .panelAssigned(PanelAssigned(evaluators: evaluators.map(\.subject), applications: startups.prefix(5).map(\.application))))
        for (e, evaluator) in evaluators.enumerated() {
            for startup in startups.prefix(5) {
                if e == 1 && startup.application == startups[2].application {
                    add(evaluator, 29, .evaluatorRecused(EvaluatorRecused(evaluator: evaluator.subject, application: startup.application, ground: "canary: employed by Nordlys Data AS until 2025")))
                } else {
                    add(evaluator, 29, .impartialityDeclared(ImpartialityDeclared(evaluator: evaluator.subject, application: startup.application)))
                }
            }
        }
        for i in 0..<3 {
            let grant = GrantID("grant-canary-\(i)")!
            secrets.append(grant.rawValue)
            add(vault, 30, .confidentialDataAccessed(ConfidentialDataAccessed(reader: evaluators[i % 2], owner: startups[i].org, ref: ref(i), purpose: "evaluation", grant: grant)))
        }
        let points: [[Int]] = [[900, 800, 700, 850], [800, 850, 600, 700], [750, 700, 900, 650], [700, 600, 500, 800], [500, 550, 400, 600]]
        let results = points.enumerated().map { i, scores in
            ScoresFinalised.ApplicationResult(
                application: startups[i].application,
                scores: zip(criteria, scores).map { ScoresFinalised.CriterionScore(criterion: $0.id, hundredths: $1) },
                totalHundredths: zip(criteria, scores).reduce(0) { $0 + $1.0.weight * $1.1 } / 100, rank: i + 1)
        }
        add(officer, 32, .evaluatorRemoved(EvaluatorRemoved(evaluator: evaluators[1].subject, application: startups[4].application, reason: "On leave; replaced on this application")))
        add(officer, 39, .consensusRecorded(ConsensusRecorded(application: startups[2].application, criterion: "team", hundredths: 700, reason: "Agreed after discussing the team's pilot experience")))
        add(officer, 40, .scoresFinalised(ScoresFinalised(method: .init(priceFormula: .linear, normalisation: true, tieBreak: .init(rule: .highestOnCriterion, criterion: "quality")),
                                                          results: results, ranking: results.map(\.application))))
        add(officer, 41, .shortlistDecided(ShortlistDecided(places: 4, shortlisted: startups.prefix(4).map(\.application),
                                                            notChosen: [.init(application: startups[4].application, reason: "canary: fifth of five; weaker on climate impact")])))
        for (i, dialogue) in dialogues.enumerated() {
            add(officer, 45, .dialogueOpened(DialogueOpened(dialogue: dialogue, application: startups[i].application, orgNumber: startups[i].org, companyName: startups[i].name)))
        }
        let notice = Digest.sha256(Array("canary: the depot at Furuset is unavailable in May".utf8))
        secrets.append(notice.hex)
        add(officer, 48, .roundHeld(RoundHeld(dialogue: dialogues[0], round: 1, heldAt: at(48), attendance: ["kari", "startup-\(startups[0].org)"], minutes: commitment(50).digest, vaultRef: ref(50))))
        add(officer, 50, .clarificationSent(ClarificationSent(number: 1, recipients: dialogues, notice: notice)))
        add(officer, 52, .pilotDefined(PilotDefined(dialogue: dialogues[0], pilot: 1, hypothesis: "canary: shared bikes cut car trips to the metro by a tenth",
                                                    metrics: [.init(name: "car trips replaced", threshold: 100, unit: "‰"), .init(name: "bikes out of service", threshold: 50, unit: "‰", goal: .atMost)],
                                                    durationDays: 30, budgetCap: Money(kroner: 250_000))))
        add(startupActor(0), 60, .offerReceived(OfferReceived(dialogue: dialogues[0], version: 1, commitment: commitment(30).digest, vaultRef: ref(30))))
        add(startupActor(1), 60, .offerReceived(OfferReceived(dialogue: dialogues[1], version: 1, commitment: commitment(31).digest, vaultRef: ref(31))))
        add(officer, 75, .pilotResultRecorded(PilotResultRecorded(dialogue: dialogues[0], pilot: 1, outcomes: [.init(metric: "car trips replaced", met: true), .init(metric: "bikes out of service", met: true)],
                                                                  report: commitment(40).digest, vaultRef: ref(40))))
        add(officer, 76, .pilotDecided(PilotDecided(dialogue: dialogues[0], pilot: 1, decision: .go, reason: "Both thresholds met")))
        add(officer, 80, .awardDecided(AwardDecided(decisions: [
            .init(dialogue: dialogues[0], orgNumber: startups[0].org, companyName: startups[0].name, kind: .innovationPartnership, value: partnershipValue, reason: "canary: pilot showed the effect; best total"),
            .init(dialogue: dialogues[1], orgNumber: startups[1].org, companyName: startups[1].name, kind: .purchase, value: purchaseValue, reason: "canary: ready product at a fair price"),
            .init(dialogue: dialogues[2], orgNumber: startups[2].org, companyName: startups[2].name, kind: .none, value: nil, reason: "canary: no fit with the data platform"),
            .init(dialogue: dialogues[3], orgNumber: startups[3].org, companyName: startups[3].name, kind: .none, value: nil, reason: "canary: budget used by the two agreements"),
        ])))
        add(officer, 80, .standstillStarted(StandstillStarted(start: at(80), end: at(90))))
        add(officer, 82, .complaintRegistered(ComplaintRegistered(complaint: 1, orgNumber: startups[3].org, summary: "canary: the budget reasoning was not explained")))
        add(officer, 84, .complaintResolved(ComplaintResolved(complaint: 1, outcome: .dismissed, reason: "The award notice gave the reasons; the complaint is dismissed")))
        add(officer, 90, .standstillEnded(StandstillEnded(start: at(80), end: at(90))))
        add(officer, 91, .agreementSigned(AgreementSigned(dialogue: dialogues[0], orgNumber: startups[0].org, companyName: startups[0].name, kind: .innovationPartnership, value: partnershipValue,
                                                          phases: [.init(name: "Development", targets: ["200 bikes at 4 stations"], costCap: Money(kroner: 600_000), gate: at(180)),
                                                                   .init(name: "Scale-up", targets: ["whole district"], costCap: Money(ore: 63_456_789), gate: at(365))])))
        add(officer, 91, .agreementSigned(AgreementSigned(dialogue: dialogues[1], orgNumber: startups[1].org, companyName: startups[1].name, kind: .purchase, value: purchaseValue)))
        add(officer, 180, .phaseGateDecided(PhaseGateDecided(dialogue: dialogues[0], phase: 1, decision: .go, reason: "Targets met at the gate", cost: Money(kroner: 580_000))))
        add(officer, 92, .dialogueEndedWithoutAgreement(DialogueEndedWithoutAgreement(dialogue: dialogues[2], orgNumber: startups[2].org, companyName: startups[2].name, reason: "canary: no fit with the data platform")))
        add(officer, 92, .dialogueEndedWithoutAgreement(DialogueEndedWithoutAgreement(dialogue: dialogues[3], orgNumber: startups[3].org, companyName: startups[3].name, reason: "canary: budget used by the two agreements")))
    }

    func at(_ day: Int, hours: Int = 0) -> Timestamp {
        base.adding(days: day).adding(milliseconds: Int64(hours) * 3_600_000)
    }

    private func startupActor(_ i: Int) -> Actor {
        Actor(subject: "startup-\(startups[i].org)", role: .startup)
    }

    private mutating func add(_ actor: Actor, _ day: Int, hours: Int = 0, _ payload: EventPayload) {
        let id = EventID("evt-\(events.count + 100)")!
        events.append(ProcurementEvent(id: id, challenge: Self.challenge, actor: actor, time: at(day, hours: hours).adding(milliseconds: Int64(events.count)), payload: payload))
        if actor.role == .startup { secrets.append(actor.subject) }
    }

    /// A distinct vault reference per n, listed as a secret.
    private mutating func ref(_ n: Int) -> VaultRef {
        let ref = VaultRef("vref_" + Digest.sha256(Array("ref-\(n)".utf8)).hex.prefix(32))!
        secrets.append(ref.rawValue)
        return ref
    }

    /// Startup i's applicant salt: public from the closing, so not a secret.
    func applicantSalt(_ i: Int) -> [UInt8] {
        Digest.sha256(Array("applicant-salt-\(i)".utf8)).bytes
    }

    /// Startup i's sealed applicant, as Intake seals it. Two strings always encode as JSON.
    private func sealed(_ i: Int) -> Digest {
        try! SealedApplicant.seal(orgNumber: startups[i].org, companyName: startups[i].name, salt: applicantSalt(i))
    }

    /// A distinct commitment per n; its digest and salt are listed as secrets.
    private mutating func commitment(_ n: Int) -> SaltedDigest {
        let salt = Array(Digest.sha256(Array("salt-\(n)".utf8)).bytes)
        let value = SaltedDigest(digest: Digest.salted(Array("canary: content \(n)".utf8), salt: salt), salt: Data(salt).base64EncodedString())
        secrets += [value.digest.hex, value.salt]
        return value
    }
}
