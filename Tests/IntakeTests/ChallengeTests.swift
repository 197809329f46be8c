import Messages
import RPC
import TestServiceKit
import Testing

/// Drafts, publication and frozen terms, through the dispatcher with real tokens.
@Suite("Challenges")
struct ChallengeTests {
    @Test("a draft is created, edited by revision, and visible to officers only", arguments: Backend.allCases)
    func drafts(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let officer = try await intake.officer()
            let (draft, events) = try await intake.newEvents {
                try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: ChallengeID("smart-waste"), terms: Fixtures.terms(weights: [10])))
            }
            #expect(events.isEmpty, "a draft is not a decision")
            #expect(draft.status == .draft && draft.revision == 1)
            try await intake.expectRefusal(.alreadyExists) {
                _ = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: draft.id, terms: Fixtures.terms()))
            }
            let random = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
            #expect(random.id != draft.id)

            let edited = try await officer.call(IntakeAPI.updateDraft, UpdateDraftRequest(challenge: draft.id, revision: 1, terms: Fixtures.terms()))
            #expect(edited.revision == 2 && edited.terms == Fixtures.terms())
            try await intake.expectRefusal(.aborted) {
                _ = try await officer.call(IntakeAPI.updateDraft, UpdateDraftRequest(challenge: draft.id, revision: 1, terms: Fixtures.terms(weights: [100])))
            }
            var bad = Fixtures.terms()
            bad.title = ""
            try await intake.expectRefusal(.invalidArgument, field: "terms.title") {
                _ = try await officer.call(IntakeAPI.updateDraft, UpdateDraftRequest(challenge: draft.id, revision: 2, terms: bad))
            }

            for reader in [try await intake.startup(0), try await intake.client(.auditor), intake.client(token: nil)] {
                try await intake.expectRefusal(.notFound) { _ = try await reader.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: draft.id)) }
                #expect(try await reader.call(IntakeAPI.listChallenges, ListChallengesRequest()).challenges.isEmpty)
            }
            #expect(try await officer.call(IntakeAPI.listChallenges, ListChallengesRequest(status: .draft)).challenges.map(\.id) == [draft.id, random.id])
        }
    }

    @Test("publishing freezes the terms and records them exactly; every later edit is refused", arguments: Backend.allCases)
    func publishFreezes(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let officer = try await intake.officer()
            let draft = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: ChallengeID("smart-waste"), terms: Fixtures.terms()))
            let (published, events) = try await intake.newEvents {
                try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id))
            }
            #expect(published.status == .published && published.publishedAt == Fixtures.start)
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.type == .challengePublished && event.challenge == draft.id)
            #expect(event.actor == Actor(subject: "kari.officer", role: .officer))
            #expect(event.time == Fixtures.start)
            let terms = Fixtures.terms()
            #expect(event.payload == .challengePublished(ChallengePublished(
                title: terms.title, summary: terms.summary, buyer: terms.buyer, criteria: terms.criteria, scale: terms.scale,
                priceFormula: terms.priceFormula, normalisation: terms.normalisation, tieBreak: terms.tieBreak,
                places: terms.places, timeline: terms.timeline, budget: terms.budget)))

            // Any edit after publication, at the current revision or any other, is refused.
            for revision in [1, 2, 0] {
                let error = try await intake.expectRefusal(.failedPrecondition) {
                    _ = try await officer.call(IntakeAPI.updateDraft, UpdateDraftRequest(challenge: draft.id, revision: revision, terms: Fixtures.terms(weights: [100])))
                }
                #expect(error?.message == "published terms are frozen; use AmendChallenge")
            }
            try await intake.expectRefusal(.failedPrecondition) { _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id)) }
            let seen = try await intake.client(token: nil).call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: draft.id))
            #expect(seen.terms == Fixtures.terms() && seen.status == .published)
        }
    }

    @Test("weights summing to 99 or 101 are refused at publication with a field violation, and nothing changes", arguments: Backend.allCases, [[40, 30, 29], [40, 30, 31]])
    func weights(_ backend: Backend, _ weights: [Int]) async throws {
        try await IntakeHarness.run(backend) { intake in
            let officer = try await intake.officer()
            let draft = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms(weights: weights)))
            let error = try await intake.expectRefusal(.invalidArgument, field: "terms.criteria") {
                _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id))
            }
            #expect(error?.message.contains("sum to \(weights.reduce(0, +))") == true)
            #expect(try await officer.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: draft.id)).status == .draft)
        }
    }

    @Test("publishing needs a timeline in the future of the legal clock", arguments: Backend.allCases)
    func publishTimeline(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let officer = try await intake.officer()
            let draft = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
            intake.clock.set(Fixtures.questionsDeadline)
            try await intake.expectRefusal(.invalidArgument, field: "terms.timeline.questionsDeadline") {
                _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id))
            }
            intake.clock.set(Fixtures.questionsDeadline.adding(milliseconds: -1))
            #expect(try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id)).status == .published)
        }
    }

    @Test("only officers create, edit and publish", arguments: Backend.allCases)
    func roles(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            for caller in [try await intake.startup(0), try await intake.client(.auditor), try await intake.client(.evaluator)] {
                try await intake.expectRefusal(.permissionDenied) {
                    _ = try await caller.call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
                }
            }
            try await intake.expectRefusal(.unauthenticated) {
                _ = try await intake.client(token: nil).call(IntakeAPI.createChallenge, CreateChallengeRequest(terms: Fixtures.terms()))
            }
        }
    }
}
