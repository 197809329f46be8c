import Foundation
import JWTKit
import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// Who sees what: a startup only its own dialogue, a negotiator those assigned, officers and
/// auditors all; grants only to participants and only for the dialogue's refs.
@Suite("Participants and grants")
struct AccessTests {
    @Test("a startup cannot see another's dialogue, offers or messages; it sees its own and the awards, no complaints", arguments: Backend.allCases)
    func startupIsolation(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let own = try await h.id(0)
            let other = try await h.id(1)
            try await h.offer(1)
            _ = try await h.startup(1).call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: other, content: try h.receipt(1, field: NegotiationAPI.Field.message)))
            let startup = try await h.startup(0)
            let hidden = try await h.expectRefusal(.notFound) { _ = try await startup.call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: other)) }
            let missing = await refusal { _ = try await startup.call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: DialogueID("no-such-dialogue")!)) }
            #expect(hidden?.message == missing?.message.replacingOccurrences(of: "no-such-dialogue", with: other.rawValue))
            let list = try await startup.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(list.dialogues.map(\.dialogue) == [own] && list.complaints.isEmpty)
            let everything = try await h.auditor().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(everything.dialogues.count == 3)
            let theirs = try #require(everything.dialogues.first { $0.dialogue == other })
            #expect(theirs.offers.count == 1 && theirs.messages.count == 1)
            // Writing into another's dialogue is as unknown as reading it.
            try await h.expectRefusal(.notFound) {
                _ = try await startup.call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: other, content: try h.receipt(0, field: NegotiationAPI.Field.message)))
            }
            // Auditors read, never change.
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.auditor().call(NegotiationAPI.endDialogue, EndDialogueRequest(dialogue: own, reason: "Auditors cannot do this."))
            }
        }
    }

    @Test("grants: for the dialogue's refs only, to its participants, in the role they act in; the token is never stored", arguments: Backend.allCases)
    func grants(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            try await h.open()
            let own = try await h.dialogue(0)
            let other = try await h.id(1)
            let offer = try await h.offer(0)
            let theirOffer = try await h.offer(1)
            let keys = JWTKeyCollection()
            await keys.add(eddsa: try EdDSA.PublicKey(pem: AccessGrantIssuer(name: "negotiation", privateKey: h.grantKey).publicKeyPEM), kid: "negotiation")

            for (client, actor) in [
                (try await h.startup(0), Actor(subject: "founder-0", role: .startup)),
                (try await h.negotiator(), NegotiationHarness.negotiatorActor),
                (try await h.officer(), NegotiationHarness.officerActor),
            ] {
                for ref in [own.applicationRef, offer.ref] {
                    let grant = try await client.call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: own.dialogue, ref: ref))
                    #expect(grant.ref == ref && grant.purpose == "negotiation" && grant.expiresAt == Fixtures.start.adding(milliseconds: 300_000))
                    let claims = try await keys.verify(grant.grant, as: AccessGrantClaims.self)
                    #expect(claims.iss.value == "negotiation" && claims.sub.value == actor.subject && claims.role == actor.role.rawValue)
                    #expect(claims.ref == ref.rawValue && claims.purpose == "negotiation" && claims.jti.value == grant.grantID.rawValue)
                    #expect(!(try await h.storedTexts()).contains { $0.contains(grant.grant) })
                    #expect(!h.log.all.contains { $0.contains(grant.grant) } && h.log.all.contains { $0.contains(grant.grantID.rawValue) })
                }
            }
            let startup = try await h.startup(0)
            // Another dialogue's ref, asked for in one's own dialogue: not part of it.
            try await h.expectRefusal(.notFound) {
                _ = try await startup.call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: own.dialogue, ref: theirOffer.ref))
            }
            // Asked for in the other's dialogue: that dialogue does not exist for this startup.
            try await h.expectRefusal(.notFound) {
                _ = try await startup.call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: other, ref: theirOffer.ref))
            }
            try await h.expectRefusal(.notFound) {
                _ = try await startup.call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: own.dialogue, ref: .random()))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.negotiator("ole.negotiator").call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: own.dialogue, ref: offer.ref))
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.auditor().call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: own.dialogue, ref: offer.ref))
            }
            #expect(try await h.count("neg_grants") == 6)
        }
    }
}
