import Foundation
import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// Holes found in review, each pinned by the test that showed it.
@Suite("Review findings")
struct ReviewFindingsTests {
    /// A negotiator assigned to one dialogue read, in ListDialogues, the award's decisions on
    /// every other dialogue — their reasons and values, which come from those dialogues — and
    /// a startup without any dialogue in the challenge read its awards.
    @Test("a negotiator reads only the decisions on the dialogues assigned; an outsider reads no award", arguments: Backend.allCases)
    func awardDecisionsStayWithTheirDialogue(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let officer = try await h.officer()
            let own = try await h.id(0)
            let other = try await h.id(1)
            _ = try await officer.call(NegotiationAPI.assignNegotiators, AssignNegotiatorsRequest(dialogue: other, negotiators: ["ole.negotiator"]))
            try await h.offer(1)
            let secret = "Their pilot cut trips by 31 %; price 1 234 567 kr."
            _ = try await officer.call(NegotiationAPI.decide, DecideRequest(challenge: NegotiationHarness.challenge, decisions: [
                DialogueDecision(dialogue: other, kind: .purchase, value: Money(kroner: 1_234_567), reason: secret),
                DialogueDecision(dialogue: own, kind: .none, reason: "Not this time."),
            ]))
            _ = try await officer.call(NegotiationAPI.registerComplaint, RegisterComplaintRequest(
                challenge: NegotiationHarness.challenge, award: 1, orgNumber: Fixtures.organisations[3], summary: "We should have been shortlisted."))

            // `nina.negotiator` is assigned to dialogues 0 and 2, not to 1.
            let list = try await h.negotiator().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(!list.dialogues.contains { $0.dialogue == other })
            let award = try #require(list.awards.first)
            #expect(award.decisions.map(\.dialogue) == [own])
            #expect(award.openComplaints.isEmpty && list.complaints.isEmpty)
            let encoded = String(decoding: try JSONCoding.encoder().encode(list), as: UTF8.self)
            #expect(!encoded.contains("1 234 567") && !encoded.contains("31 %") && !encoded.contains("123456700"))

            // The negotiator of dialogue 1 sees that decision; the officer and auditor all.
            let theirs = try await h.negotiator("ole.negotiator").call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(theirs.awards.first?.decisions.map(\.reason) == [secret])
            #expect(try await h.auditor().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge)).awards.first?.decisions.count == 2)
            #expect(try await officer.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge)).awards.first?.openComplaints == [1])

            // Organisation 3 was not shortlisted: no dialogue, so no award and no notice.
            let outsider = try await h.startup(3).call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(outsider.dialogues.isEmpty && outsider.awards.isEmpty && outsider.complaints.isEmpty)
            // A negotiator assigned to none of them likewise.
            let stranger = try await h.negotiator("per.stranger").call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(stranger.dialogues.isEmpty && stranger.awards.isEmpty)
        }
    }

    /// An innovation partnership whose first gate fell inside the standstill period was
    /// accepted, although its agreement cannot be signed before the period ends and a gate is
    /// decided on a signed partnership only: that gate could never be decided in time.
    @Test("a partnership's first gate must come after the standstill period; at its end exactly is refused, 1 ms later accepted", arguments: Backend.allCases)
    func firstGateAfterStandstill(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            try await h.offer(0)
            let officer = try await h.officer()
            let id = try await h.id(0)
            let end = Fixtures.start.adding(days: NegotiationHarness.standstillDays)
            func request(firstGate: Timestamp) -> DecideRequest {
                DecideRequest(challenge: NegotiationHarness.challenge, decisions: [
                    DialogueDecision(dialogue: id, kind: .innovationPartnership, reason: "Needs development.", phases: [
                        AgreementPhase(name: "Prototype", targets: ["Sensors in 100 bins"], costCap: Money(kroner: 400_000), gate: firstGate),
                        AgreementPhase(name: "Roll-out", targets: ["1 000 bins"], costCap: Money(kroner: 600_000), gate: end.adding(days: 90)),
                    ]),
                ])
            }
            for gate in [Fixtures.start.adding(days: 1), end] {
                try await h.expectRefusal(.invalidArgument, field: "decisions[0].phases[0].gate") {
                    _ = try await officer.call(NegotiationAPI.decide, request(firstGate: gate))
                }
            }
            let award = try await officer.call(NegotiationAPI.decide, request(firstGate: end.adding(milliseconds: 1)))
            #expect(award.standstillEnd == end && award.decisions.first?.value == Money(kroner: 1_000_000))
        }
    }
}
