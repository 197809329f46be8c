import Logging
import ServiceKit
public import Messages
import SQLKit
public import RPC

extension IntakeService {
    /// Creates a draft (only its basic fields are checked; publication checks the rest).
    /// - Throws: `already_exists` when the id is taken.
    public func createChallenge(_ request: CreateChallengeRequest, by caller: Caller) async throws -> Challenge {
        try ChallengeRules.checkDraft(request.terms)
        let id = request.id ?? ChallengeID()
        let challenge = try await database.transaction { tx in
            guard try await self.store.insertDraft(id, terms: request.terms, at: self.clock.now(), on: tx) else {
                throw RPCError(.alreadyExists, "challenge \(id) already exists")
            }
            return try await self.visibleChallenge(id, to: caller, on: tx).challenge(amendments: [])
        }
        log.info("draft created", metadata: ["challenge": .string(id.rawValue)])
        return challenge
    }

    /// Replaces a draft's terms, given the revision the caller edited.
    /// - Throws: `failed_precondition` once published (the terms are frozen: amend instead);
    ///   `aborted` when `revision` is not the current one.
    public func updateDraft(_ request: UpdateDraftRequest, by caller: Caller) async throws -> Challenge {
        try ChallengeRules.checkDraft(request.terms)
        return try await database.transaction { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            guard row.status == .draft else {
                throw RPCError(.failedPrecondition, "published terms are frozen; use AmendChallenge")
            }
            guard row.revision == request.revision else {
                throw RPCError(.aborted, "the draft is at revision \(row.revision), not \(request.revision): read it again and reapply the edit")
            }
            try await self.store.replaceDraft(row.id, terms: request.terms, revision: row.revision + 1, on: tx)
            return try await self.visibleChallenge(row.id, to: caller, on: tx).challenge(amendments: [])
        }
    }

    /// Publishes a draft: checks every rule of the terms and freezes them, recording
    /// `challenge.published` with exactly these terms.
    public func publishChallenge(_ request: PublishChallengeRequest, by caller: Caller) async throws -> Challenge {
        let challenge = try await changing { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            guard row.status == .draft else { throw RPCError(.failedPrecondition, "challenge \(row.id) is already published") }
            let now = self.clock.now()
            try ChallengeRules.checkPublishable(row.terms, now: now)
            try await self.store.markPublished(row.id, at: now, on: tx)
            try await self.emit(.challengePublished(ChallengePublished(terms: row.terms)), challenge: row.id, by: caller, at: now, on: tx)
            return try await self.visibleChallenge(row.id, to: caller, on: tx).challenge(amendments: [])
        }
        log.info("challenge published", metadata: ["challenge": .string(challenge.id.rawValue)])
        return challenge
    }

    /// Amends a published challenge before its application deadline: numbered, reasoned,
    /// announced to every organisation that registered interest, and able to extend (never
    /// shorten) the deadlines. The frozen terms stay as published.
    public func amendChallenge(_ request: AmendChallengeRequest, by caller: Caller) async throws -> Amendment {
        let amendment = try await changing { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            switch row.status {
            case .draft: throw RPCError(.failedPrecondition, "challenge \(row.id) is a draft: edit it with UpdateDraft")
            case .closed: throw RPCError(.failedPrecondition, "intake of challenge \(row.id) is closed")
            case .published: break
            }
            let now = self.clock.now()
            guard row.timelineInForce.acceptsApplications(at: now) else {
                throw RPCError(.failedPrecondition, "the application deadline (\(row.applicationDeadline)) has passed: the challenge can no longer be amended")
            }
            let timeline = try AmendmentRules.amended(row.timelineInForce, by: request, now: now)
            let number = try await self.store.amendments(of: row.id, on: tx).count + 1
            let interested = try await self.store.interestedOrganisations(challenge: row.id, on: tx)
            let amendment = Amendment(
                number: number, reason: request.reason, changes: request.changes,
                newApplicationDeadline: request.newApplicationDeadline, newQuestionsDeadline: request.newQuestionsDeadline,
                publishedAt: now, notified: interested.count)
            try await self.store.insertAmendment(amendment, of: row.id, on: tx)
            try await self.store.insertNotices(challenge: row.id, amendment: number, to: interested, at: now, on: tx)
            try await self.store.setDeadlines(row.id, timeline, on: tx)
            let event = ChallengeAmended(number: number, reason: request.reason, changes: request.changes, newApplicationDeadline: request.newApplicationDeadline, newQuestionsDeadline: request.newQuestionsDeadline)
            try await self.emit(.challengeAmended(event), challenge: row.id, by: caller, at: now, on: tx)
            return amendment
        }
        log.info("challenge amended", metadata: ["challenge": .string(request.challenge.rawValue), "amendment": .stringConvertible(amendment.number), "notified": .stringConvertible(amendment.notified)])
        return amendment
    }

    /// A published or closed challenge for anyone; a draft for officers only.
    public func getChallenge(_ request: GetChallengeRequest, by caller: Caller?) async throws -> Challenge {
        let row = try await visibleChallenge(request.challenge, to: caller, on: database.sql)
        return row.challenge(amendments: try await store.amendments(of: row.id, on: database.sql))
    }

    /// Challenges in the order they were created; drafts only for officers.
    public func listChallenges(_ request: ListChallengesRequest, by caller: Caller?) async throws -> ListChallengesResponse {
        var statuses: [ChallengeStatus] = caller?.isOfficer == true ? ChallengeStatus.allCases : [.published, .closed]
        if let wanted = request.status { statuses = statuses.filter { $0 == wanted } }
        var challenges: [Challenge] = []
        for row in try await store.challenges(in: statuses, on: database.sql) {
            challenges.append(row.challenge(amendments: try await store.amendments(of: row.id, on: database.sql)))
        }
        return ListChallengesResponse(challenges: challenges)
    }
}
