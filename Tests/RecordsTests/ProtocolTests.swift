import Foundation
import Messages
@testable import Records
import Testing

@Suite("Procurement protocol")
struct ProtocolTests {
    let story = AcceleratorStory()

    var built: ProcurementProtocol {
        ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: story.entries)
    }

    func decisions(_ type: EventType) -> [ProtocolDecision] {
        built.decisions.filter { $0.type == type }
    }

    @Test func everyDecisionInLogOrder() {
        let protocolOf = built
        let listed = story.entries.filter { $0.event.type != .confidentialDataAccessed && $0.event.type != .interestRegistered }
        #expect(protocolOf.decisions.map(\.index) == listed.map(\.index))
        #expect(protocolOf.decisions.map(\.event) == listed.map(\.event.id))
        #expect(protocolOf.decisions.map(\.type) == listed.map(\.event.type))
        #expect(protocolOf.decisions.map(\.time) == listed.map(\.event.time))
        #expect(protocolOf.decisions.map(\.actor) == listed.map(\.event.actor))
        #expect(protocolOf.challenge == AcceleratorStory.challenge)
        #expect(protocolOf.title == "Smarter mobility for the outer districts")
        #expect(protocolOf.confidentialAccesses == 3)
        #expect(protocolOf.interestRegistrations == 2)
    }

    @Test func decisionsCarryTheirReasons() {
        #expect(decisions(.challengeAmended).map(\.reason) == ["Questions showed the data interface was described unclearly"])
        #expect(decisions(.applicationWithdrawn).map(\.reason) == ["Team committed elsewhere"])
        #expect(decisions(.applicationRejectedLate).first?.reason?.contains("after the application deadline") == true)
        #expect(decisions(.evaluatorRecused).map(\.reason) == ["canary: employed by Nordlys Data AS until 2025"])
        #expect(decisions(.shortlistDecided).first?.reason == "Not chosen: Snø Robotics AS (app-sno): canary: fifth of five; weaker on climate impact")
        #expect(decisions(.pilotDecided).map(\.reason) == ["Both thresholds met"])
        let award = decisions(.awardDecided).first?.reason ?? ""
        for reason in ["pilot showed the effect", "ready product at a fair price", "no fit with the data platform", "budget used by the two agreements"] {
            #expect(award.contains(reason))
        }
        #expect(decisions(.dialogueEndedWithoutAgreement).map(\.reason) == ["canary: no fit with the data platform", "canary: budget used by the two agreements"])
        #expect(decisions(.scoresFinalised).first?.reason?.contains("the higher score on Quality of the solution ranks first") == true)
        for type in [EventType.applicationReceived, .dialogueOpened, .standstillStarted, .agreementSigned] {
            #expect(decisions(type).allSatisfy { $0.reason == nil })
        }
    }

    @Test("awards numbered in the record: the complaint, its upholding (the award annulled) and the standstill name the award")
    func numberedAwards() {
        let officer = Actor(subject: "kari", role: .officer)
        let start = Timestamp(iso8601: "2026-05-21T09:00:00Z")!
        let end = Timestamp(iso8601: "2026-05-31T09:00:00Z")!
        let payloads: [EventPayload] = [
            .awardDecided(AwardDecided(decisions: [], award: 2)),
            .standstillStarted(StandstillStarted(start: start, end: end, award: 2)),
            .complaintRegistered(ComplaintRegistered(complaint: 3, orgNumber: OrgNumber("974760673")!, summary: "Wrong formula", award: 2)),
            .complaintResolved(ComplaintResolved(complaint: 3, outcome: .upheld, reason: "The formula was misapplied", award: 2)),
            .standstillEnded(StandstillEnded(start: start, end: end, award: 2)),
        ]
        let entries = payloads.enumerated().map { index, payload in
            let event = ProcurementEvent(challenge: AcceleratorStory.challenge, actor: officer, time: start, payload: payload)
            return RecordEntry(index: Int64(index), leaf: Data((try? event.canonicalBytes()) ?? []).base64EncodedString(), event: event)
        }
        let summaries = ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: entries).decisions.map(\.summary)
        #expect(summaries[0].hasPrefix("Award 2 decided: "))
        #expect(summaries[1].hasPrefix("Standstill period of award 2 from "))
        #expect(summaries[2] == "Complaint 3 from org. no. 974760673 registered against award 2; signing paused")
        #expect(summaries[3] == "Complaint 3 upheld: award 2 annulled, its dialogues negotiate again")
        #expect(summaries[4].hasPrefix("Standstill period of award 2 ended "))
    }

    @Test func summariesSayWhatWasDecided() {
        #expect(decisions(.challengePublished).first?.summary == "Published “Smarter mobility for the outer districts”: 4 places, 4 award criteria, applications due 2026-03-23 10:00 CET")
        #expect(decisions(.challengeAmended).first?.summary == "Amendment 1: Data interface clarified; one more week to apply; application deadline now 2026-03-30 11:00 CEST")
        // 40·9.00 + 20·8.00 + 10·7.00 + 30·8.50 = 845 hundredths.
        #expect(decisions(.scoresFinalised).first?.summary.hasPrefix("Scores finalised for 5 applications: 1. Bysykkel Labs AS (app-bysykkel) 8.45; 2. Fjord Sensor AS (app-fjord) 7.60") == true)
        #expect(decisions(.shortlistDecided).first?.summary == "Shortlist for 4 places: Bysykkel Labs AS (app-bysykkel), Fjord Sensor AS (app-fjord), Nordlys Data AS (app-nordlys), Trikk Analytics AS (app-trikk)")
        #expect(decisions(.evaluatorRecused).first?.summary == "canary-eval-ola recused from Nordlys Data AS (app-nordlys)")
        #expect(decisions(.clarificationSent).first?.summary.hasPrefix("Clarification notice 1 sent to all 4 participants at once") == true)
        #expect(decisions(.pilotDecided).first?.summary == "Pilot 1 with Bysykkel Labs AS: go")
        #expect(decisions(.awardDecided).first?.summary == "Award decided: Bysykkel Labs AS — innovation partnership, NOK 1 234 567,89; Fjord Sensor AS — purchase, NOK 500 000,50; Nordlys Data AS — no agreement; Trikk Analytics AS — no agreement")
        #expect(decisions(.agreementSigned).map(\.summary) == ["Agreement signed with Bysykkel Labs AS: innovation partnership, NOK 1 234 567,89, 2 phases", "Agreement signed with Fjord Sensor AS: purchase, NOK 500 000,50"])
        #expect(decisions(.dialogueEndedWithoutAgreement).map(\.summary) == ["Dialogue with Nordlys Data AS ended without agreement", "Dialogue with Trikk Analytics AS ended without agreement"])
    }

    @Test func applicantsAreNamedOnlyFromTheClosingThatOpensThem() {
        #expect(decisions(.applicationReceived).map(\.summary) == story.startups.map { "Application \($0.application) received (sealed until the deadline)" })
        #expect(decisions(.applicationAmended).map(\.summary) == ["Application app-fjord amended (version 2)"])
        #expect(decisions(.applicationWithdrawn).map(\.summary) == ["Application app-regn withdrawn"])
        #expect(decisions(.intakeClosed).map(\.summary) == [
            "Intake closed at the deadline: 5 applications, 1 withdrawn, 1 rejected as late; applicants opened: "
                + "Bysykkel Labs AS (app-bysykkel, org. no. 920000010); Fjord Sensor AS (app-fjord, org. no. 920000029); "
                + "Nordlys Data AS (app-nordlys, org. no. 920000037); Trikk Analytics AS (app-trikk, org. no. 920000045); "
                + "Snø Robotics AS (app-sno, org. no. 920000053); Regn AS (app-regn, org. no. 920000061, withdrawn)",
        ])
        let closing = built.decisions.first { $0.type == .intakeClosed }!.index
        for decision in built.decisions where decision.index < closing && decision.type.rawValue.hasPrefix("application.") {
            for startup in story.startups {
                #expect(!decision.summary.contains(startup.name) && !decision.summary.contains(startup.org.rawValue), "\(decision.summary)")
            }
        }
    }

    @Test func anOpeningThatDoesNotMatchItsSealIsFlagged() throws {
        var events = story.events
        let i = try #require(events.firstIndex { $0.type == .intakeClosed })
        guard case .intakeClosed(var closed) = events[i].payload else { return }
        closed.applicants[1].companyName = "Fjord Sensors AS"
        closed.applicants[2].salt = closed.applicants[3].salt
        events[i].payload = .intakeClosed(closed)
        let entries = events.enumerated().map { RecordEntry(index: Int64($0.offset), leaf: "", event: $0.element) }
        let summary = ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: entries).decisions.first { $0.type == .intakeClosed }?.summary ?? ""
        #expect(summary.contains("Bysykkel Labs AS (app-bysykkel, org. no. 920000010); Fjord Sensors AS (app-fjord, org. no. 920000029) — does not match its sealed receipt; Nordlys Data AS (app-nordlys, org. no. 920000037) — does not match its sealed receipt; Trikk Analytics AS (app-trikk, org. no. 920000045);"))
    }

    @Test func markdownHasTheTermsAndEveryDecision() {
        let protocolOf = built
        let markdown = protocolOf.markdown
        #expect(markdown.hasPrefix("# Procurement protocol: Smarter mobility for the outer districts\n"))
        #expect(markdown.contains("- Award criteria: Quality of the solution 40 %, Team and capacity 20 %, Climate impact 10 %, Price 30 % (price)"))
        #expect(markdown.contains("price formula linear, 10 − 10·(Pe − Pb)/Pb; normalisation on"))
        #expect(markdown.contains("- Estimated value: NOK 3 000 000,00"))
        #expect(markdown.contains("| Entry | Time | By | Decision | Reason |"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Entry") }
        #expect(rows.count == protocolOf.decisions.count)
        for (row, decision) in zip(rows, protocolOf.decisions) {
            #expect(row.hasPrefix("| \(decision.index) | "))
            #expect(row.contains(decision.summary))
            #expect(row.contains(decision.reason ?? "—"))
            #expect(row.contains("\(decision.actor.subject) (\(decision.actor.role.rawValue))"))
        }
        #expect(rows.first?.contains("| 2026-03-02 10:00 CET | kari.officer (officer) |") == true)
        #expect(markdown.contains("2 companies registered interest; confidential data was opened 3 times"))
    }

    @Test func aPipeOrLineBreakStaysInItsCell() {
        let event = ProcurementEvent(challenge: AcceleratorStory.challenge, actor: story.officer, time: story.base,
                                     payload: .challengeAmended(ChallengeAmended(number: 2, reason: "a | b\nc", changes: "x")))
        let markdown = ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: [RecordEntry(index: 7, leaf: "", event: event)]).markdown
        #expect(markdown.contains("| Amendment 2: x | a \\| b c |"))
    }

    @Test func otherChallengesAreLeftOut() {
        let other = ProcurementEvent(challenge: ChallengeID("another-challenge")!, actor: story.officer, time: story.base,
                                     payload: .questionAnswered(QuestionAnswered(number: 9, question: "q", answer: "a")))
        var entries = story.entries
        entries.insert(RecordEntry(index: 1000, leaf: "", event: other), at: 3)
        #expect(ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: entries).decisions == built.decisions)
    }

    @Test func derivingTwiceGivesTheSameProtocol() throws {
        #expect(try CanonicalJSON.encode(built) == CanonicalJSON.encode(built))
    }

    @Test func anEmptyRecordGivesAnEmptyProtocol() {
        let empty = ProtocolBuilder.build(challenge: AcceleratorStory.challenge, entries: [])
        #expect(empty.title == nil)
        #expect(empty.decisions.isEmpty)
        #expect(empty.markdown.hasPrefix("# Procurement protocol: challenge smart-mobility-2026\n"))
    }

    @Test("Oslo time, with summer time from the last Sunday of March to the last Sunday of October", arguments: [
        ("2026-03-02T09:00:00Z", "2026-03-02 10:00 CET"),
        ("2026-03-29T00:59:00Z", "2026-03-29 01:59 CET"),
        ("2026-03-29T01:00:00Z", "2026-03-29 03:00 CEST"),
        ("2026-10-25T00:59:00Z", "2026-10-25 02:59 CEST"),
        ("2026-10-25T01:00:00Z", "2026-10-25 02:00 CET"),
        ("2026-12-31T23:30:00Z", "2027-01-01 00:30 CET"),
        ("2027-03-28T01:00:00Z", "2027-03-28 03:00 CEST"),
        ("2027-03-27T12:00:00Z", "2027-03-27 13:00 CET"),
    ])
    func osloTime(_ utc: String, _ shown: String) throws {
        #expect(OsloTime.format(try #require(Timestamp(iso8601: utc))) == shown)
    }
}
