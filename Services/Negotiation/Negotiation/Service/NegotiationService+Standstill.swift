import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// Ends every standstill period (of one challenge, or of all) whose end has come by the
    /// clock: the award becomes `final` and `standstill.ended` is recorded once; then, unless a
    /// complaint against it is open, the dialogues it decided `none` end with the decision's
    /// reason (`dialogue.ended_without_agreement`). Returns how many periods this call ended.
    ///
    /// The ``StandstillWatcher`` calls it every few seconds, and `SignAgreement` and
    /// `ResolveComplaint` call it first, so their answer never depends on the watcher's timing.
    /// Racing callers (replicas, a call and the watcher) are harmless: the conditional update
    /// lets exactly one of them end a period.
    @discardableResult
    public func endDueStandstills(challenge: ChallengeID? = nil) async throws -> Int {
        var ended = 0
        for (challenge, number) in try await store.dueStandstills(at: clock.now(), challenge: challenge, on: database.sql) {
            if try await endStandstill(challenge, award: number) { ended += 1 }
        }
        return ended
    }

    func endStandstill(_ challenge: ChallengeID, award number: Int) async throws -> Bool {
        let actor = Caller.negotiationService.actor
        let ended = try await changing { tx -> Bool in
            try await self.lock(challenge, on: tx)
            let now = self.clock.now()
            guard let award = try await self.store.award(challenge, number, on: tx), award.status == .standstill, award.standstillEnd <= now,
                  try await self.store.setStatus(.final, of: challenge, award: number, from: .standstill, on: tx)
            else { return false }
            try await self.emit(
                .standstillEnded(StandstillEnded(start: award.standstillStart, end: award.standstillEnd, award: number)), challenge: challenge, by: actor, at: now, on: tx)
            if try await self.store.openComplaints(challenge, award: number, on: tx).isEmpty {
                try await self.endUnsuccessful(award, by: actor, at: now, on: tx)
            }
            return true
        }
        if ended {
            logger.notice("standstill ended", metadata: ["challenge": .string(challenge.rawValue), "award": .stringConvertible(number)])
        }
        return ended
    }

    /// Ends the dialogues `award` decided `none` that are still awarded by it, each with its
    /// decision's reason.
    func endUnsuccessful(_ award: NegotiationStore.AwardRow, by actor: Actor, at now: Timestamp, on tx: any SQLDatabase) async throws {
        for decision in award.decisions where decision.kind == .none {
            guard let row = try await store.dialogue(decision.dialogue, on: tx), row.outcome?.award == award.number,
                  try await store.end(row.dialogue, from: .awarded, reason: decision.reason, on: tx)
            else { continue }
            let ended = DialogueEndedWithoutAgreement(dialogue: row.dialogue, orgNumber: row.orgNumber, companyName: row.companyName, reason: decision.reason)
            try await emit(.dialogueEndedWithoutAgreement(ended), challenge: award.challenge, by: actor, at: now, on: tx)
        }
    }

    /// An officer registers a company's complaint against an award during its standstill
    /// period (before its end, to the millisecond); signing that award's agreements waits
    /// until every complaint against it is resolved. `complaint.registered` records it.
    /// - Throws: `not_found` for an unknown award; `failed_precondition` once the standstill
    ///   period is over or the award annulled.
    public func registerComplaint(_ request: RegisterComplaintRequest, by caller: Caller) async throws -> Complaint {
        try TextRule.check(request.summary, "summary", length: 1...2000)
        let complaint = try await changing { tx -> Complaint in
            try await self.lock(request.challenge, on: tx)
            guard let award = try await self.store.award(request.challenge, request.award, on: tx) else {
                throw RPCError(.notFound, "challenge \(request.challenge) has no award \(request.award)")
            }
            let now = self.clock.now()
            guard award.status == .standstill, now < award.standstillEnd else {
                throw RPCError(.failedPrecondition, "award \(award.number) is \(award.status.rawValue) (standstill until \(award.standstillEnd)): complaints are registered during the standstill period")
            }
            let complaint = Complaint(
                challenge: request.challenge,
                number: try await self.store.nextNumber(in: "neg_complaints", column: "challenge_id", key: request.challenge.rawValue, on: tx),
                award: award.number, orgNumber: request.orgNumber, summary: request.summary, registeredAt: now, outcome: nil, reason: nil, resolvedAt: nil)
            try await self.store.insertComplaint(complaint, by: caller.subject, on: tx)
            let registered = ComplaintRegistered(complaint: complaint.number, orgNumber: complaint.orgNumber, summary: complaint.summary, award: complaint.award)
            try await self.emit(.complaintRegistered(registered), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            return complaint
        }
        log.notice("complaint registered", metadata: [
            "challenge": .string(request.challenge.rawValue), "complaint": .stringConvertible(complaint.number), "award": .stringConvertible(complaint.award),
        ])
        return complaint
    }

    /// An officer resolves an open complaint. Dismissed: the award stands, and once its
    /// standstill period is over and no complaint is open, its `none` dialogues end and its
    /// agreements may be signed. Upheld: the award is annulled and the dialogues it decided
    /// negotiate again (outcome cleared). `complaint.resolved` records it.
    /// - Throws: `not_found` for an unknown complaint; `failed_precondition` when it was
    ///   resolved already.
    public func resolveComplaint(_ request: ResolveComplaintRequest, by caller: Caller) async throws -> Complaint {
        try TextRule.check(request.reason, "reason", length: 1...2000)
        try await endDueStandstills(challenge: request.challenge)
        let complaint = try await changing { tx -> Complaint in
            try await self.lock(request.challenge, on: tx)
            guard var complaint = try await self.store.complaint(request.challenge, request.complaint, on: tx) else {
                throw RPCError(.notFound, "challenge \(request.challenge) has no complaint \(request.complaint)")
            }
            guard complaint.outcome == nil else { throw RPCError(.failedPrecondition, "complaint \(complaint.number) is resolved already") }
            let now = self.clock.now()
            complaint.outcome = request.outcome
            complaint.reason = request.reason
            complaint.resolvedAt = now
            guard try await self.store.resolve(complaint, by: caller.subject, on: tx) else {
                throw RPCError(.failedPrecondition, "complaint \(complaint.number) is resolved already")
            }
            let resolved = ComplaintResolved(complaint: complaint.number, outcome: request.outcome, reason: request.reason, award: complaint.award)
            try await self.emit(.complaintResolved(resolved), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            guard let award = try await self.store.award(request.challenge, complaint.award, on: tx) else {
                throw RPCError(.dataLoss, "complaint \(complaint.number) names award \(complaint.award), which is missing")
            }
            switch request.outcome {
            case .dismissed:
                if award.status == .final, try await self.store.openComplaints(request.challenge, award: award.number, on: tx).isEmpty {
                    try await self.endUnsuccessful(award, by: caller.actor, at: now, on: tx)
                }
            case .upheld:
                guard award.status != .annulled else { break }
                _ = try await self.store.setStatus(.annulled, of: request.challenge, award: award.number, from: award.status, on: tx)
                for decision in award.decisions {
                    guard var row = try await self.store.dialogue(decision.dialogue, on: tx), row.status == .awarded, row.outcome?.award == award.number else { continue }
                    row.status = .negotiating
                    row.outcome = nil
                    try await self.store.saveState(row, on: tx)
                }
            }
            return complaint
        }
        log.notice("complaint resolved", metadata: [
            "challenge": .string(request.challenge.rawValue), "complaint": .stringConvertible(complaint.number),
            "outcome": .string(request.outcome.rawValue), "by": .string(caller.subject),
        ])
        return complaint
    }
}
