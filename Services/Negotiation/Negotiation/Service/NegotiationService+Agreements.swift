import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// An officer records the signing of an awarded agreement. Refused before the standstill
    /// period has ended — even a millisecond before; at its end exactly, signing is allowed —
    /// while a complaint against the award is open, and for a dialogue decided `none`.
    /// `agreement.signed` records the kind, value and, for an innovation partnership, its
    /// phases.
    /// - Throws: `failed_precondition` naming the reason.
    public func signAgreement(_ request: SignAgreementRequest, by caller: Caller) async throws -> Dialogue {
        let seen = try await visibleDialogue(request.dialogue, to: caller, on: database.sql)
        try await endDueStandstills(challenge: seen.challenge)
        let dialogue = try await changing { tx -> Dialogue in
            var row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            guard row.status != .signed, row.status != .completed else {
                throw RPCError(.failedPrecondition, "the agreement of dialogue \(row.dialogue) is signed already")
            }
            try self.require(row, [.awarded], to: "sign an agreement")
            guard var outcome = row.outcome, outcome.decision.kind != .none, let value = outcome.decision.value else {
                throw RPCError(.failedPrecondition, "dialogue \(row.dialogue) was decided without an agreement: there is nothing to sign")
            }
            guard let award = try await self.store.award(row.challenge, outcome.award, on: tx), award.status != .annulled else {
                throw RPCError(.failedPrecondition, "award \(outcome.award) no longer stands")
            }
            let now = self.clock.now()
            guard now >= award.standstillEnd else {
                throw RPCError(.failedPrecondition, "standstill until \(award.standstillEnd): no agreement of award \(award.number) is signed before then")
            }
            let open = try await self.store.openComplaints(row.challenge, award: award.number, on: tx)
            guard open.isEmpty else {
                throw RPCError(.failedPrecondition, "complaint \(open.map(String.init).joined(separator: ", ")) against award \(award.number) is open: signing waits until it is resolved")
            }
            outcome.signedAt = now
            row.outcome = outcome
            row.status = .signed
            try await self.store.saveState(row, on: tx)
            let signed = AgreementSigned(
                dialogue: row.dialogue, orgNumber: row.orgNumber, companyName: row.companyName, kind: outcome.decision.kind, value: value,
                phases: outcome.decision.phases)
            try await self.emit(.agreementSigned(signed), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return try await self.dialogue(row, on: tx)
        }
        log.notice("agreement signed", metadata: ["dialogue": .string(request.dialogue.rawValue), "by": .string(caller.subject)])
        return dialogue
    }

    /// An officer decides the next gate of a signed innovation partnership: `go` passes it
    /// (after the last phase the partnership is `completed`), `no_go` stops it — the dialogue
    /// ends with the reason. The phase's cost is at most its cap. `phase.gate_decided` records
    /// it.
    /// - Throws: `invalid_argument` on `cost` (negative or over the cap) or `phase` (no such
    ///   phase); `failed_precondition` when the partnership is not running or `phase` is not
    ///   the next undecided one.
    public func decideGate(_ request: DecideGateRequest, by caller: Caller) async throws -> Dialogue {
        try TextRule.check(request.reason, "reason", length: 1...2000)
        guard request.cost >= .zero else { throw RPCError.invalidField("cost", "must not be negative") }
        let dialogue = try await changing { tx -> Dialogue in
            var row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.signed], to: "decide a phase gate")
            guard var outcome = row.outcome, outcome.decision.kind == .innovationPartnership, let phases = outcome.decision.phases else {
                throw RPCError(.failedPrecondition, "dialogue \(row.dialogue) is not an innovation partnership: it has no phase gates")
            }
            guard (1...phases.count).contains(request.phase) else { throw RPCError.invalidField("phase", "must be 1 to \(phases.count)") }
            let next = outcome.gates.count + 1
            guard request.phase == next else {
                throw RPCError(.failedPrecondition, "the next undecided gate of dialogue \(row.dialogue) is phase \(next)")
            }
            let cap = phases[request.phase - 1].costCap
            guard request.cost <= cap else { throw RPCError.invalidField("cost", "must be at most the phase's cost cap (\(cap))") }
            let now = self.clock.now()
            outcome.gates.append(GateDecision(phase: request.phase, decision: request.decision, reason: request.reason, cost: request.cost, decidedAt: now))
            row.outcome = outcome
            switch request.decision {
            case .go:
                if request.phase == phases.count { row.status = .completed }
            case .noGo:
                row.status = .ended
                row.endReason = request.reason
            }
            try await self.store.saveState(row, on: tx)
            let decided = PhaseGateDecided(dialogue: row.dialogue, phase: request.phase, decision: request.decision, reason: request.reason, cost: request.cost)
            try await self.emit(.phaseGateDecided(decided), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return try await self.dialogue(row, on: tx)
        }
        log.notice("phase gate decided", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "phase": .stringConvertible(request.phase), "decision": .string(request.decision.rawValue),
            "status": .string(dialogue.status.rawValue),
        ])
        return dialogue
    }

    /// An officer ends a negotiating dialogue without an agreement (the startup left, a pilot
    /// was no-go, …), with the reason given to the startup; `dialogue.ended_without_agreement`
    /// records it.
    /// - Throws: `failed_precondition` unless the dialogue is negotiating.
    public func endDialogue(_ request: EndDialogueRequest, by caller: Caller) async throws -> Dialogue {
        try TextRule.check(request.reason, "reason", length: 1...2000)
        let dialogue = try await changing { tx -> Dialogue in
            var row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "end it")
            guard try await self.store.end(row.dialogue, from: .negotiating, reason: request.reason, on: tx) else {
                throw RPCError(.failedPrecondition, "dialogue \(row.dialogue) is no longer negotiating")
            }
            row.status = .ended
            row.endReason = request.reason
            let ended = DialogueEndedWithoutAgreement(dialogue: row.dialogue, orgNumber: row.orgNumber, companyName: row.companyName, reason: request.reason)
            try await self.emit(.dialogueEndedWithoutAgreement(ended), challenge: row.challenge, by: caller.actor, at: self.clock.now(), on: tx)
            return try await self.dialogue(row, on: tx)
        }
        log.notice("dialogue ended", metadata: ["dialogue": .string(request.dialogue.rawValue), "by": .string(caller.subject)])
        return dialogue
    }
}
