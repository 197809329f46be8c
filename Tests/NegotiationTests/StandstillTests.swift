import Messages
import Negotiation
import RPC
import ServiceKit
import TestServiceKit
import Testing

/// The standstill period: no signing before it ends (to the millisecond), complaints pause
/// signing, an upheld complaint sends the dialogues back to negotiating.
@Suite("Standstill and complaints")
struct StandstillTests {
    /// Dialogue 0 awarded a purchase, dialogue 1 none; returns the award.
    static func awarded(_ h: NegotiationHarness) async throws -> Award {
        try await h.open()
        try await h.offer(0)
        return try await h.decide([(0, .purchase, Money(kroner: 1_000_000), nil), (1, .none, nil, nil)])
    }

    @Test("signing 1 ms before the end is refused; at the end it is accepted — the standstill ends first, the unsuccessful dialogue with it", arguments: Backend.allCases)
    func signAtTheEnd(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let award = try await Self.awarded(h)
            let officer = try await h.officer()
            let id = try await h.id(0)
            h.clock.set(award.standstillEnd.adding(milliseconds: -1))
            let early = try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id))
            }
            #expect(early?.message.contains("standstill until \(award.standstillEnd.iso8601)") == true)
            h.clock.set(award.standstillEnd)
            let (signed, events) = try await h.newEvents { try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id)) }
            #expect(signed.status == .signed && signed.outcome?.signedAt == award.standstillEnd)
            #expect(events.map(\.type) == [.standstillEnded, .dialogueEndedWithoutAgreement, .agreementSigned])
            #expect(events[0].actor == Actor(subject: "negotiation", role: .service))
            #expect(events[2].payload == .agreementSigned(AgreementSigned(
                dialogue: id, orgNumber: Fixtures.organisations[0], companyName: "Fjordlys AS", kind: .purchase, value: Money(kroner: 1_000_000))))
            let unsuccessful = try await h.dialogue(1)
            #expect(unsuccessful.status == .ended && unsuccessful.endReason == "Decision for Bybris AS.")
            let list = try await officer.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(list.awards.map(\.status) == [.final])
            try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id)) }
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: try await h.id(1)))
            }
            #expect(try await h.service.endDueStandstills() == 0)
        }
    }

    @Test("the watcher ends a due standstill by itself, once, however many replicas look")
    func watcher() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let award = try await Self.awarded(h)
            #expect(try await h.service.endDueStandstills() == 0)
            h.clock.set(award.standstillEnd)
            let watchers = (0..<2).map { _ in
                Task { try await StandstillWatcher.make(negotiation: h.service, interval: .milliseconds(20), logger: h.log.logger(label: "test.watcher")).run() }
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while try await h.events().filter({ $0.type == .standstillEnded }).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(100))
            watchers.forEach { $0.cancel() }
            for watcher in watchers { try await watcher.value }
            let types = try await h.events().map(\.type)
            #expect(types.filter { $0 == .standstillEnded }.count == 1 && types.filter { $0 == .dialogueEndedWithoutAgreement }.count == 1)
            #expect(try await h.dialogue(1).status == .ended)
        }
    }

    @Test("a complaint pauses signing; dismissed, signing goes on and the unsuccessful dialogue ends", arguments: Backend.allCases)
    func dismissed(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let award = try await Self.awarded(h)
            let officer = try await h.officer()
            let id = try await h.id(0)
            h.clock.set(award.standstillEnd.adding(milliseconds: -1))
            let (complaint, events) = try await h.newEvents {
                try await officer.call(NegotiationAPI.registerComplaint, RegisterComplaintRequest(
                    challenge: NegotiationHarness.challenge, award: 1, orgNumber: Fixtures.organisations[1], summary: "The pilot results were weighed wrongly."))
            }
            #expect(complaint.number == 1 && complaint.outcome == nil && events.map(\.type) == [.complaintRegistered])
            // The record names the award complained against.
            #expect(events.first?.payload == .complaintRegistered(ComplaintRegistered(
                complaint: 1, orgNumber: Fixtures.organisations[1], summary: "The pilot results were weighed wrongly.", award: 1)))
            h.clock.set(award.standstillEnd)
            // Refused; the standstill period ends on the way (StandstillEnded), nothing else.
            let paused = await refusal { _ = try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id)) }
            #expect(paused?.code == .failedPrecondition && paused?.message.contains("complaint 1") == true)
            #expect(try await h.events().last?.payload == .standstillEnded(StandstillEnded(start: award.standstillStart, end: award.standstillEnd, award: 1)))
            // The standstill ended meanwhile, but the unsuccessful dialogue waits for the complaint.
            #expect(try await h.dialogue(1).status == .awarded)
            #expect(try await officer.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge)).awards[0].openComplaints == [1])
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.registerComplaint, RegisterComplaintRequest(
                    challenge: NegotiationHarness.challenge, award: 1, orgNumber: Fixtures.organisations[2], summary: "Too late."))
            }
            let (resolved, resolution) = try await h.newEvents {
                try await officer.call(NegotiationAPI.resolveComplaint, ResolveComplaintRequest(
                    challenge: NegotiationHarness.challenge, complaint: 1, outcome: .dismissed, reason: "The weighing followed the published terms."))
            }
            #expect(resolved.outcome == .dismissed && resolved.resolvedAt == award.standstillEnd)
            #expect(resolution.map(\.type) == [.complaintResolved, .dialogueEndedWithoutAgreement])
            #expect(resolution.first?.payload == .complaintResolved(ComplaintResolved(
                complaint: 1, outcome: .dismissed, reason: "The weighing followed the published terms.", award: 1)))
            #expect(try await h.dialogue(1).status == .ended)
            #expect(try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: id)).status == .signed)
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.resolveComplaint, ResolveComplaintRequest(
                    challenge: NegotiationHarness.challenge, complaint: 1, outcome: .upheld, reason: "Second thoughts."))
            }
            let startupView = try await h.startup(1).call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(startupView.complaints.isEmpty)
        }
    }

    @Test("an upheld complaint annuls the award: its dialogues negotiate again, nothing can be signed, a new award follows", arguments: Backend.allCases)
    func upheld(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let award = try await Self.awarded(h)
            let officer = try await h.officer()
            _ = try await officer.call(NegotiationAPI.registerComplaint, RegisterComplaintRequest(
                challenge: NegotiationHarness.challenge, award: 1, orgNumber: Fixtures.organisations[3], summary: "We should have been shortlisted."))
            h.clock.advance(milliseconds: 1_000)
            _ = try await officer.call(NegotiationAPI.resolveComplaint, ResolveComplaintRequest(
                challenge: NegotiationHarness.challenge, complaint: 1, outcome: .upheld, reason: "The award must be reconsidered."))
            for index in [0, 1] {
                let dialogue = try await h.dialogue(index)
                #expect(dialogue.status == .negotiating && dialogue.outcome == nil)
            }
            let list = try await officer.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(list.awards.map(\.status) == [.annulled] && list.complaints.map(\.outcome) == [.upheld])
            h.clock.set(award.standstillEnd)
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: try await h.id(0)))
            }
            #expect(try await h.service.endDueStandstills() == 0)
            let second = try await h.decide([(0, .purchase, Money(kroner: 900_000), nil)])
            #expect(second.number == 2 && second.standstillEnd == award.standstillEnd.adding(days: NegotiationHarness.standstillDays))
            #expect(try await h.dialogue(1).notices.map(\.number) == [1, 2])
        }
    }
}
