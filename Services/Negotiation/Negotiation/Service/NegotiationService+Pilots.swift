import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// An officer or an assigned negotiator agrees a pilot in a negotiating dialogue
    /// (``PilotAssessment/check(_:)``); `pilot.defined` records it.
    public func definePilot(_ request: DefinePilotRequest, by caller: Caller) async throws -> Pilot {
        try PilotAssessment.check(request)
        let pilot = try await changing { tx -> Pilot in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "define a pilot")
            let now = self.clock.now()
            let pilot = Pilot(
                number: try await self.store.nextNumber(in: "neg_pilots", column: "dialogue_id", key: row.dialogue.rawValue, on: tx),
                hypothesis: request.hypothesis, metrics: request.metrics, durationDays: request.durationDays, budgetCap: request.budgetCap,
                definedAt: now, result: nil, decision: nil)
            try await self.store.insertPilot(pilot, dialogue: row.dialogue, by: caller.subject, on: tx)
            let defined = PilotDefined(
                dialogue: row.dialogue, pilot: pilot.number, hypothesis: pilot.hypothesis, metrics: pilot.metrics,
                durationDays: pilot.durationDays, budgetCap: pilot.budgetCap)
            try await self.emit(.pilotDefined(defined), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return pilot
        }
        log.info("pilot defined", metadata: ["dialogue": .string(request.dialogue.rawValue), "pilot": .stringConvertible(pilot.number), "by": .string(caller.subject)])
        return pilot
    }

    /// A participant reports a pilot's results: one measured value per metric, compared with
    /// its threshold and then dropped — only met / not met is kept and recorded — and the full
    /// report, deposited in the Vault by the caller for the startup (field `pilot-report`).
    /// `pilot.result_recorded` records the outcomes, the report's ref and commitment.
    /// - Throws: `invalid_argument` on `measurements` unless there is exactly one per metric;
    ///   `not_found` for an unknown pilot; `failed_precondition` when it was reported already.
    public func reportPilotResult(_ request: ReportPilotResultRequest, by caller: Caller) async throws -> Pilot {
        let pilot = try await changing { tx -> Pilot in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "report a pilot's results")
            var pilot = try await self.pilot(request.pilot, of: row, on: tx)
            guard pilot.result == nil else { throw RPCError(.failedPrecondition, "pilot \(pilot.number) of dialogue \(row.dialogue) is reported already") }
            let outcomes = try PilotAssessment.outcomes(pilot.metrics, measurements: request.measurements)
            try self.verify(request.report, field: NegotiationAPI.Field.pilotReport, for: row, by: caller, path: "report")
            let now = self.clock.now()
            try await self.add(request.report, as: .pilotReport, to: row, at: now, path: "report", on: tx)
            let result = PilotResult(
                outcomes: outcomes, report: request.report.ref, reportCommitment: request.report.commitment.digest, reportedAt: now, reportedBy: caller.actor)
            guard try await self.store.setResult(result, pilot: pilot.number, dialogue: row.dialogue, on: tx) else {
                throw RPCError(.failedPrecondition, "pilot \(pilot.number) of dialogue \(row.dialogue) is reported already")
            }
            pilot.result = result
            let recorded = PilotResultRecorded(dialogue: row.dialogue, pilot: pilot.number, outcomes: outcomes, report: result.reportCommitment, vaultRef: result.report)
            try await self.emit(.pilotResultRecorded(recorded), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return pilot
        }
        log.info("pilot result recorded", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "pilot": .stringConvertible(pilot.number),
            "met": .stringConvertible(pilot.result?.outcomes.filter(\.met).count ?? 0), "metrics": .stringConvertible(pilot.metrics.count),
        ])
        return pilot
    }

    /// An officer decides go / no-go on a reported pilot. Without a decision the thresholds
    /// decide (go when every metric met its threshold) and give the reason; a decision that
    /// differs from theirs is an override and needs a reason of 10–2000 characters.
    /// `pilot.decided` records it, with `override` when it went against the thresholds.
    /// - Throws: `failed_precondition` before the result is reported or once decided;
    ///   `invalid_argument` on `reason` for an override without one.
    public func decidePilot(_ request: DecidePilotRequest, by caller: Caller) async throws -> Pilot {
        if let reason = request.reason { try TextRule.check(reason, "reason", length: 10...2000) }
        let pilot = try await changing { tx -> Pilot in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "decide a pilot")
            var pilot = try await self.pilot(request.pilot, of: row, on: tx)
            guard let result = pilot.result else {
                throw RPCError(.failedPrecondition, "pilot \(pilot.number) of dialogue \(row.dialogue) has no reported result to decide on")
            }
            guard pilot.decision == nil else { throw RPCError(.failedPrecondition, "pilot \(pilot.number) of dialogue \(row.dialogue) is decided already") }
            let derived = PilotAssessment.decision(result.outcomes)
            let decision = request.decision ?? derived
            let override = decision != derived
            if override && request.reason == nil {
                throw RPCError.invalidField("reason", "deciding \(decision.rawValue) against the thresholds (\(derived.rawValue)) needs a reason of 10 to 2000 characters")
            }
            let now = self.clock.now()
            let record = PilotDecisionRecord(
                decision: decision, reason: request.reason ?? PilotAssessment.reason(result.outcomes), override: override, decidedAt: now, decidedBy: caller.subject)
            guard try await self.store.setDecision(record, pilot: pilot.number, dialogue: row.dialogue, on: tx) else {
                throw RPCError(.failedPrecondition, "pilot \(pilot.number) of dialogue \(row.dialogue) is decided already")
            }
            pilot.decision = record
            let decided = PilotDecided(dialogue: row.dialogue, pilot: pilot.number, decision: decision, reason: record.reason, override: override)
            try await self.emit(.pilotDecided(decided), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return pilot
        }
        log.info("pilot decided", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "pilot": .stringConvertible(pilot.number),
            "decision": .string(pilot.decision?.decision.rawValue ?? ""), "override": .stringConvertible(pilot.decision?.override ?? false),
        ])
        return pilot
    }

    func pilot(_ number: Int, of row: NegotiationStore.DialogueRow, on db: any SQLDatabase) async throws -> Pilot {
        guard let pilot = try await store.pilots(row.dialogue, on: db).first(where: { $0.number == number }) else {
            throw RPCError(.notFound, "dialogue \(row.dialogue) has no pilot \(number)")
        }
        return pilot
    }
}
