import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// An officer opens one dialogue per shortlisted application of a finalised evaluation,
    /// read from Evaluation (the result for the shortlist and ranks, the evaluation for each
    /// application's organisation and Vault ref), and assigns `negotiators` to all of them;
    /// `dialogue.opened` is recorded for each. Opening again — also concurrently, from
    /// another replica — returns the dialogues as they stand and records nothing.
    /// - Throws: `invalid_argument` for a bad negotiator list; `failed_precondition` when the
    ///   evaluation is not finalised or shortlists nobody; `not_found` when Evaluation has no
    ///   such evaluation; `unavailable` when Evaluation cannot be reached.
    public func openDialogues(_ request: OpenDialoguesRequest, by caller: Caller) async throws -> DialogueList {
        try Self.checkNegotiators(request.negotiators)
        if try await store.challengeExists(request.challenge, on: database.sql) {
            return try await list(request.challenge, for: caller, on: database.sql)
        }
        let result = try await evaluation.result(request.challenge)
        let applications = try await evaluation.evaluation(request.challenge).applications
        let shortlisted = result.ranking.filter { result.shortlist.contains($0.application) }.sorted { $0.rank < $1.rank }
        guard !shortlisted.isEmpty else { throw RPCError(.failedPrecondition, "the evaluation of \(request.challenge) shortlists no application") }
        let now = clock.now()
        let rows = try shortlisted.map { ranked throws(RPCError) in
            guard let application = applications.first(where: { $0.application == ranked.application }) else {
                throw RPCError(.unavailable, "Evaluation's result names application \(ranked.application), which its evaluation does not hold; try again")
            }
            return NegotiationStore.DialogueRow(
                dialogue: DialogueID(), challenge: request.challenge, application: application.application, orgNumber: application.orgNumber,
                companyName: application.companyName, rank: ranked.rank, applicationRef: application.vaultRef, status: .negotiating,
                negotiators: request.negotiators, outcome: nil, endReason: nil, openedAt: now)
        }
        let (list, openedNow) = try await changing { tx -> (DialogueList, Bool) in
            guard try await self.store.insertChallenge(request.challenge, by: caller.subject, at: now, on: tx) else {
                // A concurrent opening won: return what it stored.
                return (try await self.list(request.challenge, for: caller, on: tx), false)
            }
            for row in rows {
                try await self.store.insertDialogue(row, on: tx)
                _ = try await self.store.insertRef(row.applicationRef, kind: .application, dialogue: row.dialogue, at: now, on: tx)
                let opened = DialogueOpened(dialogue: row.dialogue, application: row.application, orgNumber: row.orgNumber, companyName: row.companyName)
                try await self.emit(.dialogueOpened(opened), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            }
            return (try await self.list(request.challenge, for: caller, on: tx), true)
        }
        if openedNow {
            log.info("dialogues opened", metadata: [
                "challenge": .string(request.challenge.rawValue), "by": .string(caller.subject), "dialogues": .stringConvertible(rows.count),
            ])
        }
        return list
    }

    /// An officer replaces a dialogue's negotiators (at least one, each named once).
    public func assignNegotiators(_ request: AssignNegotiatorsRequest, by caller: Caller) async throws -> Dialogue {
        try Self.checkNegotiators(request.negotiators)
        let dialogue = try await changing { tx -> Dialogue in
            var row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try await self.store.setNegotiators(row.dialogue, request.negotiators, on: tx)
            row.negotiators = request.negotiators
            return try await self.dialogue(row, on: tx)
        }
        log.info("negotiators assigned", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "by": .string(caller.subject), "negotiators": .string(request.negotiators.joined(separator: ",")),
        ])
        return dialogue
    }

    /// One dialogue: officers and auditors any, a negotiator those assigned, a startup only
    /// its own (another's is `not_found`, as if it did not exist).
    public func getDialogue(_ request: GetDialogueRequest, by caller: Caller) async throws -> Dialogue {
        let db = database.sql
        return try await dialogue(try await visibleDialogue(request.dialogue, to: caller, on: db), on: db)
    }

    /// A challenge's dialogues as the caller may see them, its awards (public notices) and —
    /// to officers and auditors only — its complaints. A startup or a negotiator sees in each
    /// award the notice and the decisions on the dialogues it may read only: another
    /// dialogue's reason and value are that dialogue's; with no dialogue of the challenge to
    /// read, it sees no award.
    /// - Throws: `not_found` when the challenge's dialogues were never opened.
    public func listDialogues(_ request: ListDialoguesRequest, by caller: Caller) async throws -> DialogueList {
        try await list(request.challenge, for: caller, on: database.sql)
    }

    func list(_ challenge: ChallengeID, for caller: Caller, on db: any SQLDatabase) async throws -> DialogueList {
        guard try await store.challengeExists(challenge, on: db) else { throw RPCError(.notFound, "challenge \(challenge) has no dialogues") }
        var dialogues: [Dialogue] = []
        for row in try await store.dialogues(challenge, on: db) where caller.mayRead(row) {
            dialogues.append(try await dialogue(row, on: db))
        }
        var awards: [Award] = []
        for row in try await store.awards(challenge, on: db) { awards.append(try await award(row, on: db)) }
        let seesAll = caller.role == .officer || caller.role == .auditor
        if !seesAll {
            // A startup or a negotiator reads the award notice and the decisions on the
            // dialogues it may read — never another dialogue's reason or value, which come
            // from that dialogue — and no complaints. Without a dialogue here, no award: its
            // notice went to the participants only.
            let own = Set(dialogues.map(\.dialogue))
            awards = own.isEmpty ? [] : awards.map { award in
                var award = award
                award.decisions = award.decisions.filter { own.contains($0.dialogue) }
                award.openComplaints = []
                return award
            }
        }
        let complaints = seesAll ? try await store.complaints(challenge, on: db) : []
        return DialogueList(challenge: challenge, dialogues: dialogues, awards: awards, complaints: complaints)
    }

    static func checkNegotiators(_ negotiators: [String]) throws(RPCError) {
        guard !negotiators.isEmpty else { throw RPCError.invalidField("negotiators", "name at least one negotiator") }
        var seen = Set<String>()
        for (index, negotiator) in negotiators.enumerated() {
            try TextRule.checkSubject(negotiator, "negotiators[\(index)]")
            guard seen.insert(negotiator).inserted else { throw RPCError.invalidField("negotiators[\(index)]", "is named twice") }
        }
    }
}
