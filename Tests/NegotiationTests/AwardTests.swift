import Foundation
import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

@Suite("Award")
struct AwardTests {
    @Test("the award notice reaches every dialogue at once; the decided ones are awarded; award and standstill recorded together", arguments: Backend.allCases)
    func decide(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            try await h.offer(0)
            try await h.offer(0)
            h.clock.advance(milliseconds: 60_000)
            let (award, events) = try await h.newEvents { try await h.decide([(0, .purchase, Money(kroner: 1_200_000), nil), (1, .none, nil, nil)]) }
            let now = Fixtures.start.adding(milliseconds: 60_000)
            let end = now.adding(days: NegotiationHarness.standstillDays)
            #expect(award.number == 1 && award.status == .standstill && award.standstillStart == now && award.standstillEnd == end && award.openComplaints.isEmpty)
            #expect(award.notice.text == "Award 1 for smart-waste: Fjordlys AS: purchase; Bybris AS: no agreement. The standstill period runs until \(end.iso8601); no agreement is signed before then.")
            #expect(award.notice.digest == .sha256(Data(award.notice.text.utf8)) && award.notice.deliveredAt == now)
            for index in 0..<3 {
                let dialogue = try await h.startup(index).call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: try await h.id(index)))
                #expect(dialogue.notices == [award.notice])
                #expect(dialogue.status == (index < 2 ? .awarded : .negotiating))
            }
            let awarded = try await h.dialogue(0).outcome
            #expect(awarded == DialogueOutcome(award: 1, decision: award.decisions[0], offerVersion: 2, standstillEnd: end, signedAt: nil, gates: []))
            #expect(try await h.dialogue(1).outcome?.offerVersion == nil)
            #expect(events.map(\.type) == [.awardDecided, .standstillStarted])
            guard case .awardDecided(let decided) = events.first?.payload else { Issue.record("no award.decided"); return }
            #expect(decided.decisions.map(\.companyName) == ["Fjordlys AS", "Bybris AS"] && decided.decisions.map(\.value) == [Money(kroner: 1_200_000), nil])
            #expect(events.last?.payload == .standstillStarted(StandstillStarted(start: now, end: end, award: 1)))
            #expect(decided.award == 1)
            #expect(try await h.negotiator().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge)).awards == [award])
            // A startup reads the notice and its own decision, not another startup's reason.
            for (index, decisions) in [(0, [award.decisions[0]]), (2, [])] {
                let seen = try await h.startup(index).call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge)).awards
                #expect(seen.count == 1 && seen[0].notice == award.notice && seen[0].decisions == decisions)
            }
        }
    }

    @Test("deciding exactly what a standing award decided (a retry whose answer was lost) returns that award and records nothing; any other decision on those dialogues is refused", arguments: Backend.allCases)
    func repeated(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            try await h.offer(0)
            let award = try await h.decide([(0, .purchase, Money(kroner: 1_200_000), nil), (1, .none, nil, nil)])
            h.clock.advance(milliseconds: 5_000)
            let (again, events) = try await h.newEvents { try await h.decide([(1, .none, nil, nil), (0, .purchase, Money(kroner: 1_200_000), nil)]) }
            #expect(again == award)
            #expect(events.isEmpty)
            let before = try await h.fingerprint()
            await #expect(throws: RPCError.self) { _ = try await h.decide([(0, .purchase, Money(kroner: 1_100_000), nil), (1, .none, nil, nil)]) }
            await #expect(throws: RPCError.self) { _ = try await h.decide([(0, .purchase, Money(kroner: 1_200_000), nil)]) }
            #expect(try await h.fingerprint() == before)
        }
    }

    @Test("a partnership's award repeated after its first gate has passed is still the award as it stands, not a refusal")
    func repeatedAfterGate() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            try await h.offer(0)
            let gate = Fixtures.start.adding(days: NegotiationHarness.standstillDays + 5)
            let phases = [AgreementPhase(name: "Prototype", targets: ["Sensors in 100 bins"], costCap: Money(kroner: 300_000), gate: gate)]
            let award = try await h.decide([(0, .innovationPartnership, nil, phases)])
            h.clock.set(gate.adding(milliseconds: 1))
            let (again, events) = try await h.newEvents { try await h.decide([(0, .innovationPartnership, nil, phases)]) }
            #expect(again.number == award.number && again.decisions == award.decisions && events.isEmpty)
        }
    }

    typealias Decision = DialogueDecision

    /// Each bad decision (for dialogue 0, or as given) with the field it names.
    static func badDecisions(_ a: DialogueID, _ b: DialogueID) -> [([Decision], String)] {
        let later = Fixtures.start.adding(days: 30)
        let phase = AgreementPhase(name: "Prototype", targets: ["Sensors in 100 bins"], costCap: Money(kroner: 300_000), gate: later)
        func ip(_ phases: [AgreementPhase], value: Money? = nil) -> [Decision] {
            [Decision(dialogue: a, kind: .innovationPartnership, value: value, reason: "Best fit.", phases: phases)]
        }
        var second = phase
        second.gate = later
        var past = phase
        past.gate = Fixtures.start
        var free = phase
        free.costCap = .zero
        var aimless = phase
        aimless.targets = []
        return [
            ([], "decisions"),
            ([Decision(dialogue: a, kind: .none, reason: "No."), Decision(dialogue: a, kind: .none, reason: "No.")], "decisions[1].dialogue"),
            ([Decision(dialogue: DialogueID("elsewhere")!, kind: .none, reason: "No.")], "decisions[0].dialogue"),
            ([Decision(dialogue: a, kind: .none, value: Money(kroner: 1), reason: "No.")], "decisions[0].value"),
            ([Decision(dialogue: a, kind: .none, reason: "")], "decisions[0].reason"),
            ([Decision(dialogue: b, kind: .none, reason: "Fine."), Decision(dialogue: a, kind: .purchase, reason: "Buy.")], "decisions[1].value"),
            ([Decision(dialogue: a, kind: .pilotContract, value: .zero, reason: "Pilot.")], "decisions[0].value"),
            ([Decision(dialogue: a, kind: .purchase, value: Money(kroner: 1), reason: "Buy.", phases: [phase])], "decisions[0].phases"),
            (ip([]), "decisions[0].phases"),
            (ip(Array(repeating: phase, count: 11)), "decisions[0].phases"),
            (ip([past]), "decisions[0].phases[0].gate"),
            (ip([phase, second]), "decisions[0].phases[1].gate"),
            (ip([free]), "decisions[0].phases[0].costCap"),
            (ip([aimless]), "decisions[0].phases[0].targets"),
            (ip([phase], value: Money(kroner: 300_001)), "decisions[0].value"),
        ]
    }

    @Test("every bad decision is refused with the field it breaks, and nothing changes", arguments: Backend.allCases)
    func validation(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            try await h.offer(0)
            let officer = try await h.officer()
            for (decisions, field) in Self.badDecisions(try await h.id(0), try await h.id(1)) {
                try await h.expectRefusal(.invalidArgument, field: field) {
                    _ = try await officer.call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: decisions))
                }
            }
            // An agreement needs an offer that counts; a dialogue that ended cannot be decided.
            let b = try await h.id(1)
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.decide, DecideRequest(
                    challenge: NegotiationHarness.challenge, decisions: [Decision(dialogue: b, kind: .purchase, value: Money(kroner: 5), reason: "Buy.")]))
            }
            let c = try await h.id(2)
            _ = try await officer.call(NegotiationAPI.endDialogue, EndDialogueRequest(dialogue: c, reason: "The startup left."))
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: [Decision(dialogue: c, kind: .none, reason: "Gone.")]))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.negotiator().call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: [Decision(dialogue: b, kind: .none, reason: "No.")]))
            }
            // Decided once, a dialogue is not decided otherwise while the award stands (the
            // very same decision again is the award as it stands: see `repeated`).
            _ = try await officer.call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: [Decision(dialogue: b, kind: .none, reason: "No.")]))
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: [Decision(dialogue: b, kind: .none, reason: "No, on second thought.")]))
            }
        }
    }

    @Test("the offer that counts is the one in time for the last passed deadline: an offer only after it is not enough")
    func countingOffer() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            try await h.offer(0)
            _ = try await h.negotiator().call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(
                dialogue: id, scheduledAt: Fixtures.start, offerDeadline: Fixtures.start.adding(milliseconds: 1_000), agenda: "Round 1"))
            _ = try await h.negotiator().call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(
                dialogue: id, scheduledAt: Fixtures.start, offerDeadline: Fixtures.start.adding(milliseconds: 2_000), agenda: "Round 2"))
            h.clock.advance(milliseconds: 1_500)
            try await h.offer(0)
            h.clock.advance(milliseconds: 1_000)
            try await h.offer(0)
            // Deadline 2 (t+2000) passed: version 2 (t+1500) counts, not version 3 (t+2500).
            let award = try await h.decide([(0, .pilotContract, Money(kroner: 90_000), nil)])
            #expect(try await h.dialogue(0).outcome?.offerVersion == 2 && award.decisions[0].kind == .pilotContract)
        }
    }
}
