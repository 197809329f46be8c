import Foundation
import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// DESIGN.md §5: what concerns the competition goes to every participant at once; nothing of
/// one startup's dialogue reaches another.
@Suite("Equal treatment")
struct EqualTreatmentTests {
    @Test("a clarification reaches every running dialogue with the same text, digest and time; an ended one gets nothing", arguments: Backend.allCases)
    func clarification(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let ended = try await h.id(2)
            let reason = "The startup withdrew from the dialogue."
            let (closed, closing) = try await h.newEvents { try await h.officer().call(NegotiationAPI.endDialogue, EndDialogueRequest(dialogue: ended, reason: reason)) }
            #expect(closed.status == .ended && closed.endReason == reason)
            #expect(closing.map(\.payload) == [.dialogueEndedWithoutAgreement(DialogueEndedWithoutAgreement(
                dialogue: ended, orgNumber: Fixtures.organisations[2], companyName: "Snøfnugg AS", reason: reason))])
            h.clock.advance(milliseconds: 5_000)
            let text = "Answer to all: the pilot area is Grünerløkka, and bins may be fitted with sensors from any vendor."
            let (sent, events) = try await h.newEvents {
                try await h.officer().call(NegotiationAPI.sendClarification, SendClarificationRequest(challenge: NegotiationHarness.challenge, text: text))
            }
            let running = [try await h.id(1), try await h.id(0)]
            #expect(sent.number == 1 && sent.text == text && sent.digest == .sha256(Data(text.utf8)) && sent.sentAt == Fixtures.start.adding(milliseconds: 5_000))
            #expect(Set(sent.recipients) == Set(running) && sent.recipients.count == 2)
            for index in [0, 1] {
                let notices = try await h.startup(index).call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: try await h.id(index))).notices
                #expect(notices == [DialogueNotice(kind: .clarification, number: 1, text: text, digest: sent.digest, deliveredAt: sent.sentAt)])
            }
            #expect(try await h.dialogue(2).notices.isEmpty)
            #expect(events.map(\.type) == [.clarificationSent])
            guard case .clarificationSent(let body) = events.first?.payload else { Issue.record("no clarification.sent"); return }
            #expect(body == ClarificationSent(number: 1, recipients: sent.recipients, notice: sent.digest))
        }
    }

    /// The request carries text and nothing else: what JSON says beyond it is refused, never
    /// dropped quietly, so no ref can be slipped to every startup.
    struct ClarificationWithExtras: Encodable {
        var challenge: ChallengeID
        var text: String
        var refs: [VaultRef]?
        var attachments: [String]?
    }

    @Test("a clarification with a ref or an attachment is refused over the wire and nothing is sent")
    func textOnly() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let officer = try await h.officer()
            let offer = try await h.offer(0)
            for body in [
                ClarificationWithExtras(challenge: NegotiationHarness.challenge, text: "See the attached offer.", refs: [offer.ref]),
                ClarificationWithExtras(challenge: NegotiationHarness.challenge, text: "See the attachment.", attachments: ["offer.pdf"]),
            ] {
                let error = try await h.expectRefusal(.invalidArgument) {
                    _ = try await officer.call(NegotiationAPI.sendClarification.descriptor, body: try JSONWire.encode(body))
                }
                #expect(error?.fieldPath == (body.refs != nil ? "refs" : "attachments"), "\(error.map(String.init(describing:)) ?? "")")
            }
            #expect(try await h.events().filter { $0.type == .clarificationSent }.isEmpty)
        }
    }

    @Test("a clarification needs recipients and 1–10 000 characters of text")
    func clarificationRefusals() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let officer = try await h.officer()
            let request = SendClarificationRequest(challenge: NegotiationHarness.challenge, text: "Hello")
            try await h.expectRefusal(.notFound) { _ = try await officer.call(NegotiationAPI.sendClarification, request) }
            try await h.open()
            for text in ["", "   ", String(repeating: "x", count: 10_001), "bell\u{07}"] {
                try await h.expectRefusal(.invalidArgument, field: "text") {
                    _ = try await officer.call(NegotiationAPI.sendClarification, SendClarificationRequest(challenge: NegotiationHarness.challenge, text: text))
                }
            }
            for index in 0..<3 {
                _ = try await officer.call(NegotiationAPI.endDialogue, EndDialogueRequest(dialogue: try await h.id(index), reason: "No longer taking part."))
            }
            try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(NegotiationAPI.sendClarification, request) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.negotiator().call(NegotiationAPI.sendClarification, request) }
        }
    }

    @Test("material of one dialogue is refused in another: the receipt names another organisation", arguments: Backend.allCases)
    func noCrossDialogueMaterial(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let a = try await h.id(0)
            let b = try await h.id(1)
            let negotiator = try await h.negotiator()
            let minutesOfA = try h.receipt(0, field: NegotiationAPI.Field.minutes, author: NegotiationHarness.negotiatorActor)
            _ = try await negotiator.call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(dialogue: b, scheduledAt: Fixtures.start, agenda: "Round 1"))
            let error = try await h.expectRefusal(.permissionDenied) {
                _ = try await negotiator.call(NegotiationAPI.recordMeeting, RecordMeetingRequest(
                    dialogue: b, round: 1, heldAt: Fixtures.start, attendance: ["nina.negotiator"], minutes: minutesOfA))
            }
            #expect(error?.message.contains("another organisation") == true)
            let messageOfA = try h.receipt(0, field: NegotiationAPI.Field.message, author: NegotiationHarness.negotiatorActor)
            try await h.expectRefusal(.permissionDenied) {
                _ = try await negotiator.call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: b, content: messageOfA))
            }
            // In its own dialogue it is accepted — once.
            _ = try await negotiator.call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: a, content: messageOfA))
            try await h.expectRefusal(.alreadyExists) {
                _ = try await negotiator.call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: a, content: messageOfA))
            }
            // A startup cannot hand in another's deposit either.
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.startup(1).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: b, offer: try h.receipt(0, field: NegotiationAPI.Field.offer)))
            }
        }
    }
}
