import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// An innovation partnership: phases with targets, cost caps and stop/go gates.
@Suite("Innovation partnership")
struct PartnershipTests {
    static let phases = [
        AgreementPhase(name: "Prototype", targets: ["Sensors in 100 bins"], costCap: Money(kroner: 400_000), gate: Fixtures.start.adding(days: 60)),
        AgreementPhase(name: "Pilot", targets: ["1 000 bins", "20 % fewer trips"], costCap: Money(kroner: 600_000), gate: Fixtures.start.adding(days: 120)),
    ]

    /// Dialogue 0 awarded an innovation partnership and signed after the standstill period.
    static func signed(_ h: NegotiationHarness) async throws -> DialogueID {
        try await h.open()
        try await h.offer(0)
        let award = try await h.decide([(0, .innovationPartnership, nil, phases)])
        #expect(award.decisions[0].value == Money(kroner: 1_000_000))
        h.clock.set(award.standstillEnd)
        let id = try await h.id(0)
        let (_, events) = try await h.newEvents { try await h.officer().call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id)) }
        #expect(events.last?.payload == .agreementSigned(AgreementSigned(
            dialogue: id, orgNumber: Fixtures.organisations[0], companyName: "Fjordlys AS", kind: .innovationPartnership, value: Money(kroner: 1_000_000), phases: phases)))
        return id
    }

    @Test("a phase's cost over its cap is refused and changes nothing; a stop at a gate ends the partnership with its reason", arguments: Backend.allCases)
    func stopAtGate(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let id = try await Self.signed(h)
            let officer = try await h.officer()
            func gate(_ phase: Int, _ decision: PilotDecision, cost: Money, reason: String = "Targets met on time.") -> DecideGateRequest {
                DecideGateRequest(dialogue: id, phase: phase, decision: decision, reason: reason, cost: cost)
            }
            try await h.expectRefusal(.invalidArgument, field: "cost") { _ = try await officer.call(NegotiationAPI.decideGate, gate(1, .go, cost: Money(ore: 40_000_001))) }
            try await h.expectRefusal(.invalidArgument, field: "cost") { _ = try await officer.call(NegotiationAPI.decideGate, gate(1, .go, cost: Money(ore: -1))) }
            try await h.expectRefusal(.invalidArgument, field: "phase") { _ = try await officer.call(NegotiationAPI.decideGate, gate(3, .go, cost: .zero)) }
            try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(NegotiationAPI.decideGate, gate(2, .go, cost: .zero)) }
            try await h.expectRefusal(.invalidArgument, field: "reason") { _ = try await officer.call(NegotiationAPI.decideGate, gate(1, .go, cost: .zero, reason: "")) }
            let passed = try await officer.call(NegotiationAPI.decideGate, gate(1, .go, cost: Money(kroner: 400_000)))
            #expect(passed.status == .signed && passed.outcome?.gates.map(\.phase) == [1])
            let reason = "The pilot showed no reduction in trips; the partnership stops here."
            let (stopped, events) = try await h.newEvents { try await officer.call(NegotiationAPI.decideGate, gate(2, .noGo, cost: Money(kroner: 250_000), reason: reason)) }
            #expect(stopped.status == .ended && stopped.endReason == reason && stopped.outcome?.gates.map(\.decision) == [.go, .noGo])
            #expect(events.map(\.payload) == [.phaseGateDecided(PhaseGateDecided(dialogue: id, phase: 2, decision: .noGo, reason: reason, cost: Money(kroner: 250_000)))])
            #expect(try await h.startup(0).call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)).endReason == reason)
            try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(NegotiationAPI.decideGate, gate(2, .go, cost: .zero)) }
        }
    }

    @Test("passing the last gate completes the partnership; a purchase has no gates")
    func completes() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let id = try await Self.signed(h)
            let officer = try await h.officer()
            _ = try await officer.call(NegotiationAPI.decideGate, DecideGateRequest(dialogue: id, phase: 1, decision: .go, reason: "Prototype works.", cost: Money(kroner: 1)))
            let done = try await officer.call(NegotiationAPI.decideGate, DecideGateRequest(dialogue: id, phase: 2, decision: .go, reason: "Pilot works.", cost: Money(kroner: 600_000)))
            #expect(done.status == .completed && done.endReason == nil)
        }
    }
}
