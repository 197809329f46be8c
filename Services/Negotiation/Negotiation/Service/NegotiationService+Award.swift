import Foundation
import Logging
public import Messages
import Metrics
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// An officer decides the outcome of one or more negotiating dialogues of a challenge
    /// (``AwardRules/checked(_:at:now:)``). An agreement needs an offer that counts (the latest
    /// submitted by the most recent offer deadline that has passed, or the latest when none
    /// has); its version is kept in the outcome. The award is numbered per challenge, its
    /// notice goes to every dialogue of the challenge at the same instant, the decided
    /// dialogues become `awarded`, and the standstill period runs from now for the configured
    /// days. `award.decided` and `standstill.started` are recorded together.
    ///
    /// Deciding exactly what an award that stands already decided returns that award and
    /// changes nothing: the officer's retry after Negotiation died between committing and
    /// answering (the idempotency key's stored answer lost with it) must not be refused as a
    /// second decision, nor become one.
    /// - Throws: `invalid_argument` for a decision that breaks a rule or names a dialogue of
    ///   another challenge, or twice, and for a partnership whose first gate is not after the
    ///   standstill period (``AwardRules/checkFirstGate(_:at:standstillEnd:)``); `failed_precondition` for a dialogue not negotiating or
    ///   an agreement without a counting offer. Nothing changes then.
    public func decide(_ request: DecideRequest, by caller: Caller) async throws -> Award {
        guard !request.decisions.isEmpty else { throw RPCError.invalidField("decisions", "decide at least one dialogue") }
        var named = Set<DialogueID>()
        for (index, decision) in request.decisions.enumerated() where !named.insert(decision.dialogue).inserted {
            throw RPCError.invalidField("decisions[\(index)].dialogue", "is decided twice")
        }
        let (award, decidedNow) = try await changing { tx -> (Award, Bool) in
            try await self.lock(request.challenge, on: tx)
            let now = self.clock.now()
            let asked = Set(request.decisions.map(AwardRules.normalised))
            if let earlier = try await self.store.awards(request.challenge, on: tx).last(where: { $0.status != .annulled && Set($0.decisions) == asked }) {
                return (try await self.award(earlier, on: tx), false)
            }
            let end = now.adding(days: self.policy.standstillDays)
            for (index, decision) in request.decisions.enumerated() { try AwardRules.checkFirstGate(decision, at: index, standstillEnd: end) }
            let dialogues = try await self.store.dialogues(request.challenge, on: tx)
            var decided: [(row: NegotiationStore.DialogueRow, decision: DialogueDecision, offer: Int?)] = []
            for (index, decision) in request.decisions.enumerated() {
                guard let row = dialogues.first(where: { $0.dialogue == decision.dialogue }) else {
                    throw RPCError.invalidField("decisions[\(index)].dialogue", "is not a dialogue of \(request.challenge)")
                }
                let checked = try AwardRules.checked(decision, at: index, now: now)
                try self.require(row, [.negotiating], to: "be decided")
                var offer: Int?
                if checked.kind != .none {
                    offer = OfferCounting.countingVersion(
                        try await self.store.offers(row.dialogue, on: tx), rounds: try await self.store.rounds(row.dialogue, on: tx), now: now)
                    guard offer != nil else {
                        throw RPCError(.failedPrecondition, "dialogue \(row.dialogue) has no offer that counts: an agreement is decided on an offer submitted in time")
                    }
                }
                decided.append((row, checked, offer))
            }
            let number = try await self.store.nextNumber(in: "neg_awards", column: "challenge_id", key: request.challenge.rawValue, on: tx)
            let notice = AwardRules.notice(
                award: number, challenge: request.challenge, decisions: decided.map { ($0.row.companyName, $0.decision.kind) }, standstillEnd: end)
            let row = NegotiationStore.AwardRow(
                challenge: request.challenge, number: number, decisions: decided.map(\.decision), decidedAt: now, decidedBy: caller.subject,
                standstillStart: now, standstillEnd: end, status: .standstill, notice: notice, noticeDigest: .sha256(Data(notice.utf8)))
            try await self.store.insertAward(row, on: tx)
            try await self.store.deliver(.award, number: number, to: dialogues.map(\.dialogue), at: now, on: tx)
            for (dialogue, decision, offer) in decided {
                var changed = dialogue
                changed.status = .awarded
                changed.outcome = DialogueOutcome(award: number, decision: decision, offerVersion: offer, standstillEnd: end, signedAt: nil, gates: [])
                try await self.store.saveState(changed, on: tx)
            }
            let event = AwardDecided(decisions: decided.map { row, decision, _ in
                AwardDecided.Decision(
                    dialogue: row.dialogue, orgNumber: row.orgNumber, companyName: row.companyName, kind: decision.kind, value: decision.value,
                    reason: decision.reason)
            }, award: number)
            try await self.emit(.awardDecided(event), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            try await self.emit(.standstillStarted(StandstillStarted(start: now, end: end, award: number)), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            return (row.award(openComplaints: []), true)
        }
        guard decidedNow else {
            log.notice("award already decided; returned as it stands", metadata: [
                "challenge": .string(request.challenge.rawValue), "award": .stringConvertible(award.number), "by": .string(caller.subject),
            ])
            return award
        }
        Counter(label: "negotiation_awards_total").increment()
        log.notice("award decided", metadata: [
            "challenge": .string(request.challenge.rawValue), "award": .stringConvertible(award.number), "by": .string(caller.subject),
            "dialogues": .string(award.decisions.map(\.dialogue.rawValue).joined(separator: ",")), "standstill_end": .string(award.standstillEnd.iso8601),
        ])
        return award
    }
}
