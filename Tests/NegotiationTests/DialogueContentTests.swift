import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// Rounds, meetings, messages and offers: refs and metadata, verified receipts.
@Suite("Rounds, messages and offers")
struct DialogueContentTests {
    @Test("the offer that counts for a round is the latest submitted by its deadline, inclusive to the millisecond, once it has passed", arguments: Backend.allCases)
    func offerCounts(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let id = try await h.id(0)
            let deadline = Fixtures.start.adding(milliseconds: 3_600_000)
            let round = try await h.negotiator().call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(
                dialogue: id, scheduledAt: Fixtures.start.adding(days: 1), offerDeadline: deadline, agenda: "Prices and terms"))
            #expect(round.number == 1 && round.offerDeadline == deadline && round.heldAt == nil)
            let receipts = try (0..<3).map { _ in try h.receipt(0, field: NegotiationAPI.Field.offer) }
            let (first, events) = try await h.newEvents {
                try await h.startup(0).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: receipts[0]))
            }
            #expect(first.version == 1 && first.submittedAt == Fixtures.start && first.commitment == receipts[0].commitment.digest)
            #expect(events.map(\.payload) == [.offerReceived(OfferReceived(dialogue: id, version: 1, commitment: receipts[0].commitment.digest, vaultRef: receipts[0].ref))])
            h.clock.set(deadline)
            #expect(try await h.startup(0).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: receipts[1])).version == 2)
            #expect(try await h.dialogue(0).offers.allSatisfy { $0.countsFor.isEmpty })
            h.clock.advance(milliseconds: 1)
            #expect(try await h.startup(0).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: receipts[2])).version == 3)
            let offers = try await h.startup(0).call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)).offers
            #expect(offers.map(\.version) == [1, 2, 3] && offers.map(\.countsFor) == [[], [1], []])
        }
    }

    @Test("offers: the startup's own deposit under `offer`, only while negotiating")
    func offerRefusals() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            let startup = try await h.startup(0)
            var forged = try h.receipt(0, field: NegotiationAPI.Field.offer)
            forged.depositedAt = forged.depositedAt.adding(milliseconds: 1)
            for (receipt, field) in [
                (try h.receipt(0, field: NegotiationAPI.Field.message), "offer.field"),
                (try h.receipt(0, field: NegotiationAPI.Field.offer, author: NegotiationHarness.negotiatorActor), "offer.author"),
                (try h.receipt(0, field: NegotiationAPI.Field.offer, challenge: ChallengeID("another-challenge")!), "offer.challenge"),
                (forged, "offer.signature"),
            ] {
                try await h.expectRefusal(.invalidArgument, field: field) {
                    _ = try await startup.call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: receipt))
                }
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.negotiator().call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: try h.receipt(0, field: NegotiationAPI.Field.offer)))
            }
            _ = try await h.officer().call(NegotiationAPI.endDialogue, EndDialogueRequest(dialogue: id, reason: "The startup left the dialogue."))
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await startup.call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: try h.receipt(0, field: NegotiationAPI.Field.offer)))
            }
        }
    }

    @Test("a meeting is recorded once, with minutes the recorder deposited; round.held names their ref and commitment", arguments: Backend.allCases)
    func meetings(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let id = try await h.id(0)
            let negotiator = try await h.negotiator()
            _ = try await negotiator.call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(dialogue: id, scheduledAt: Fixtures.start, agenda: "Kick-off"))
            let minutes = try h.receipt(0, field: NegotiationAPI.Field.minutes, author: NegotiationHarness.negotiatorActor)
            func record(_ change: (inout RecordMeetingRequest) -> Void) -> RecordMeetingRequest {
                var request = RecordMeetingRequest(dialogue: id, round: 1, heldAt: Fixtures.start, attendance: ["nina.negotiator", "founder-0"], minutes: minutes)
                change(&request)
                return request
            }
            try await h.expectRefusal(.invalidArgument, field: "heldAt") {
                _ = try await negotiator.call(NegotiationAPI.recordMeeting, record { $0.heldAt = Fixtures.start.adding(milliseconds: 1) })
            }
            try await h.expectRefusal(.invalidArgument, field: "attendance") { _ = try await negotiator.call(NegotiationAPI.recordMeeting, record { $0.attendance = [] }) }
            try await h.expectRefusal(.invalidArgument, field: "attendance[1]") { _ = try await negotiator.call(NegotiationAPI.recordMeeting, record { $0.attendance = ["a", ""] }) }
            try await h.expectRefusal(.notFound) { _ = try await negotiator.call(NegotiationAPI.recordMeeting, record { $0.round = 2 }) }
            try await h.expectRefusal(.invalidArgument, field: "minutes.author") {
                _ = try await h.officer().call(NegotiationAPI.recordMeeting, record { _ in })
            }
            let (round, events) = try await h.newEvents { try await negotiator.call(NegotiationAPI.recordMeeting, record { _ in }) }
            #expect(round.heldAt == Fixtures.start && round.minutes == minutes.ref && round.minutesCommitment == minutes.commitment.digest)
            #expect(events.map(\.payload) == [.roundHeld(RoundHeld(
                dialogue: id, round: 1, heldAt: Fixtures.start, attendance: ["nina.negotiator", "founder-0"], minutes: minutes.commitment.digest, vaultRef: minutes.ref))])
            #expect(events.first?.actor == NegotiationHarness.negotiatorActor)
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await negotiator.call(NegotiationAPI.recordMeeting, record {
                    $0.minutes = (try? h.receipt(0, field: NegotiationAPI.Field.minutes, author: NegotiationHarness.negotiatorActor)) ?? minutes
                })
            }
            try await h.expectRefusal(.invalidArgument, field: "offerDeadline") {
                _ = try await negotiator.call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(dialogue: id, scheduledAt: Fixtures.start, offerDeadline: Fixtures.start, agenda: "Late"))
            }
        }
    }

    @Test("messages both ways, each from its author's deposit; nothing recorded")
    func messages() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            let fromStartup = try h.receipt(0, field: NegotiationAPI.Field.message)
            let fromNegotiator = try h.receipt(0, field: NegotiationAPI.Field.message, author: NegotiationHarness.negotiatorActor)
            let (_, events) = try await h.newEvents {
                _ = try await h.startup(0).call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: fromStartup))
                h.clock.advance(milliseconds: 10)
                _ = try await h.negotiator().call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: fromNegotiator))
            }
            #expect(events.isEmpty)
            let messages = try await h.startup(0).call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)).messages
            #expect(messages == [
                DialogueMessage(number: 1, from: Actor(subject: "founder-0", role: .startup), ref: fromStartup.ref, commitment: fromStartup.commitment.digest, sentAt: Fixtures.start),
                DialogueMessage(number: 2, from: NegotiationHarness.negotiatorActor, ref: fromNegotiator.ref, commitment: fromNegotiator.commitment.digest,
                                sentAt: Fixtures.start.adding(milliseconds: 10)),
            ])
            // A negotiator cannot pass off the startup's deposit as their own, nor the reverse.
            try await h.expectRefusal(.invalidArgument, field: "content.author") {
                _ = try await h.negotiator().call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: try h.receipt(0, field: NegotiationAPI.Field.message)))
            }
            try await h.expectRefusal(.invalidArgument, field: "content.author") {
                _ = try await h.startup(0).call(NegotiationAPI.sendMessage, SendMessageRequest(
                    dialogue: id, content: try h.receipt(0, field: NegotiationAPI.Field.message, author: NegotiationHarness.negotiatorActor)))
            }
        }
    }
}
