import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

@Suite("Opening dialogues")
struct OpeningTests {
    @Test("one dialogue per shortlisted application, ranked, negotiators assigned, read from Evaluation with the service's token", arguments: Backend.allCases)
    func opens(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let (list, events) = try await h.newEvents { try await h.open() }
            #expect(list.dialogues.map(\.companyName) == ["Bybris AS", "Fjordlys AS", "Snøfnugg AS"])
            #expect(list.dialogues.map(\.rank) == [1, 2, 3])
            #expect(list.dialogues.allSatisfy { $0.status == .negotiating && $0.negotiators == [NegotiationHarness.negotiator] && $0.openedAt == Fixtures.start })
            #expect(Set(list.dialogues.map(\.orgNumber)) == Set(Fixtures.organisations.prefix(3)))
            #expect(events.map(\.type) == Array(repeating: .dialogueOpened, count: 3))
            #expect(events.allSatisfy { $0.actor == NegotiationHarness.officerActor && $0.challenge == NegotiationHarness.challenge })
            #expect(h.evaluation.callers.allSatisfy { $0 == Actor(subject: "negotiation", role: .service) } && h.evaluation.callers.count == 2)
        }
    }

    @Test("opening again, or concurrently, makes one set of dialogues and records them once", arguments: Backend.allCases)
    func idempotent(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            h.evaluation.put(Fixtures.evaluation(), result: Fixtures.result())
            let officer = try await h.officer()
            let request = OpenDialoguesRequest(challenge: NegotiationHarness.challenge, negotiators: ["nina.negotiator"])
            let lists = try await withThrowingTaskGroup(of: DialogueList.self) { group in
                for _ in 0..<6 { group.addTask { try await officer.call(NegotiationAPI.openDialogues, request) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(lists.map { $0.dialogues.map(\.dialogue) }).count == 1)
            let again = try await officer.call(NegotiationAPI.openDialogues, OpenDialoguesRequest(challenge: NegotiationHarness.challenge, negotiators: ["someone.else"]))
            #expect(again.dialogues.map(\.dialogue) == lists[0].dialogues.map(\.dialogue))
            #expect(again.dialogues.allSatisfy { $0.negotiators == ["nina.negotiator"] })
            #expect(try await h.events().filter { $0.type == .dialogueOpened }.count == 3)
        }
    }

    @Test("refused before finalising, for an unknown challenge, while Evaluation is down, and for a bad negotiator list — nothing stored")
    func refusals() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let officer = try await h.officer()
            let request = OpenDialoguesRequest(challenge: NegotiationHarness.challenge, negotiators: ["nina.negotiator"])
            try await h.expectRefusal(.notFound) { _ = try await officer.call(NegotiationAPI.openDialogues, request) }
            h.evaluation.put(Fixtures.evaluation(finalised: false), result: nil)
            let early = try await h.expectRefusal(.failedPrecondition) { _ = try await officer.call(NegotiationAPI.openDialogues, request) }
            #expect(early?.message.contains("not finalised") == true)
            h.evaluation.put(Fixtures.evaluation(), result: Fixtures.result())
            h.evaluation.setReachable(false)
            try await h.expectRefusal(.unavailable) { _ = try await officer.call(NegotiationAPI.openDialogues, request) }
            h.evaluation.setReachable(true)
            for (negotiators, field) in [([String](), "negotiators"), (["nina", "nina"], "negotiators[1]"), (["has space"], "negotiators[0]")] {
                try await h.expectRefusal(.invalidArgument, field: field) {
                    _ = try await officer.call(NegotiationAPI.openDialogues, OpenDialoguesRequest(challenge: NegotiationHarness.challenge, negotiators: negotiators))
                }
            }
            try await h.expectRefusal(.permissionDenied) {
                _ = try await h.negotiator().call(NegotiationAPI.openDialogues, request)
            }
            #expect(try await officer.call(NegotiationAPI.openDialogues, request).dialogues.count == 3)
        }
    }

    @Test("an officer replaces a dialogue's negotiators; the one removed can no longer read it")
    func reassign() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            #expect(try await h.negotiator().call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)).dialogue == id)
            let changed = try await h.officer().call(NegotiationAPI.assignNegotiators, AssignNegotiatorsRequest(dialogue: id, negotiators: ["ole.negotiator"]))
            #expect(changed.negotiators == ["ole.negotiator"])
            try await h.expectRefusal(.permissionDenied) { _ = try await h.negotiator().call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)) }
            #expect(try await h.negotiator("ole.negotiator").call(NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: id)).dialogue == id)
            let list = try await h.negotiator().call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: NegotiationHarness.challenge))
            #expect(list.dialogues.count == 2 && !list.dialogues.contains { $0.dialogue == id } && list.complaints.isEmpty)
        }
    }
}
