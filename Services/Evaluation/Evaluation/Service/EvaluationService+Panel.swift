import Logging
public import Messages
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// An officer assigns evaluators to applications (every application when none are named).
    /// Pairs already assigned stay as they are; `panel.assigned` is recorded when at least one
    /// pair is new. Returns the whole panel.
    /// - Throws: `failed_precondition` when a named pair was removed (``removeEvaluator(_:by:)``):
    ///   a removal is final, so a removed evaluator never scores that application.
    public func assignEvaluators(_ request: AssignEvaluatorsRequest, by caller: Caller) async throws -> Panel {
        guard !request.evaluators.isEmpty else { throw RPCError.invalidField("evaluators", "name at least one evaluator") }
        var seen = Set<String>()
        for (index, evaluator) in request.evaluators.enumerated() {
            try TextRule.checkSubject(evaluator, "evaluators[\(index)]")
            guard seen.insert(evaluator).inserted else { throw RPCError.invalidField("evaluators[\(index)]", "is named twice") }
        }
        if let named = request.applications, named.isEmpty {
            throw RPCError.invalidField("applications", "name at least one application, or omit it for all")
        }
        let (panel, added) = try await changing { tx -> (Panel, Int) in
            let row = try await self.openForChange(request.challenge, on: tx)
            let all = try await self.store.applications(row.challenge, on: tx).map(\.application)
            var targets = all
            if let named = request.applications {
                let known = Set(all)
                var unique = Set<ApplicationID>()
                for (index, application) in named.enumerated() {
                    guard known.contains(application) else {
                        throw RPCError.invalidField("applications[\(index)]", "is not an application of this evaluation")
                    }
                    guard unique.insert(application).inserted else { throw RPCError.invalidField("applications[\(index)]", "is named twice") }
                }
                targets = named
            }
            let removed = try await self.store.removedPairs(row.challenge, on: tx)
            for application in targets {
                if let evaluator = request.evaluators.first(where: { removed.contains(.init(application: application, evaluator: $0)) }) {
                    throw RPCError(.failedPrecondition, "\(evaluator) was removed from application \(application): a removal is final")
                }
            }
            let now = self.clock.now()
            var added = 0
            for application in targets {
                for evaluator in request.evaluators where try await self.store.insertAssignment(row.challenge, application, evaluator: evaluator, by: caller.subject, at: now, on: tx) {
                    added += 1
                }
            }
            if added > 0 {
                try await self.emit(.panelAssigned(PanelAssigned(evaluators: request.evaluators, applications: targets)), challenge: row.challenge, by: caller, at: now, on: tx)
            }
            return (try await self.panel(row.challenge, on: tx), added)
        }
        log.info("evaluators assigned", metadata: [
            "challenge": .string(request.challenge.rawValue), "by": .string(caller.subject), "new_assignments": .stringConvertible(added),
        ])
        return panel
    }

    /// An officer takes an evaluator off one application whose sheet is not done — the
    /// evaluator is unavailable, or a conflict came to light that they did not declare — so
    /// the application no longer waits for them. The assignment ends for good: any unfinished
    /// sheet is discarded, no grant is issued to them for it, they cannot score it or read its
    /// scores, and the pair cannot be assigned again. `evaluator.removed` is recorded with the
    /// reason. Removing a removed pair again returns the panel and records nothing (the first
    /// reason stands). Returns the whole panel.
    ///
    /// A grant already issued stays valid until it expires (the Vault checks the grant alone).
    /// - Throws: `invalid_argument` for the evaluator's subject or the reason (1–500
    ///   characters); `failed_precondition` once finalised, when the evaluator's sheet is done
    ///   (it counts), or when they are recused (already off it); `not_found` when the
    ///   evaluator was never assigned to the application.
    public func removeEvaluator(_ request: RemoveEvaluatorRequest, by caller: Caller) async throws -> Panel {
        try TextRule.checkSubject(request.evaluator, "evaluator")
        try TextRule.check(request.reason, "reason", length: 1...500)
        let (panel, removedNow, discarded) = try await changing { tx -> (Panel, Bool, Bool) in
            let row = try await self.openForChange(request.challenge, on: tx)
            let application = try await self.application(row.challenge, request.application, on: tx).application
            guard let seat = try await self.store.assignment(row.challenge, application, evaluator: request.evaluator, on: tx) else {
                throw RPCError(.notFound, "\(request.evaluator) is not assigned to application \(application)")
            }
            if seat.removedAt != nil { return (try await self.panel(row.challenge, on: tx), false, false) }
            if seat.declaration == .conflict {
                throw RPCError(.failedPrecondition, "\(request.evaluator) is recused from application \(application) already")
            }
            let sheet = try await self.store.sheets(row.challenge, application: application, evaluator: request.evaluator, on: tx).first
            if sheet?.done == true {
                throw RPCError(.failedPrecondition, "the sheet of \(request.evaluator) for application \(application) is done: it counts, and the evaluator stays")
            }
            let now = self.clock.now()
            try await self.store.removeAssignment(row.challenge, application, evaluator: request.evaluator, by: caller.subject, reason: request.reason, at: now, on: tx)
            if sheet != nil { try await self.store.deleteSheet(row.challenge, application, evaluator: request.evaluator, on: tx) }
            let event = EvaluatorRemoved(evaluator: request.evaluator, application: application, reason: request.reason)
            try await self.emit(.evaluatorRemoved(event), challenge: row.challenge, by: caller, at: now, on: tx)
            return (try await self.panel(row.challenge, on: tx), true, sheet != nil)
        }
        if removedNow {
            log.info("evaluator removed", metadata: [
                "challenge": .string(request.challenge.rawValue), "application": .string(request.application.rawValue),
                "evaluator": .string(request.evaluator), "by": .string(caller.subject), "sheet_discarded": .stringConvertible(discarded),
            ])
        }
        return panel
    }

    /// Every evaluator with the applications assigned to them, in application order.
    func panel(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> Panel {
        var members: [String: [ApplicationID]] = [:]
        for assignment in try await store.assignments(challenge, on: db) { members[assignment.evaluator, default: []].append(assignment.application) }
        return Panel(challenge: challenge, members: members.keys.sorted().map { PanelMember(evaluator: $0, applications: members[$0]!) })
    }
}
