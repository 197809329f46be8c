import Logging
public import Messages
import ServiceKit
import SQLKit

extension EvaluationService {
    /// An officer assigns evaluators to applications (every application when none are named).
    /// Pairs already assigned stay as they are; `panel.assigned` is recorded when at least one
    /// pair is new. Returns the whole panel.
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

    /// Every evaluator with the applications assigned to them, in application order.
    func panel(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> Panel {
        var members: [String: [ApplicationID]] = [:]
        for assignment in try await store.assignments(challenge, on: db) { members[assignment.evaluator, default: []].append(assignment.application) }
        return Panel(challenge: challenge, members: members.keys.sorted().map { PanelMember(evaluator: $0, applications: members[$0]!) })
    }

    /// An assigned evaluator declares having no conflict of interest with one application;
    /// from then on they may request access and score it.
    public func declareImpartiality(_ request: DeclarationRequest, by caller: Caller) async throws -> Declaration {
        try await declare(.impartial, ground: nil, challenge: request.challenge, application: request.application, by: caller)
    }

    /// An assigned evaluator declares a conflict (forvaltningsloven § 6) with one application,
    /// and is recused from it: no access, no scores. The ground is recorded.
    public func declareConflict(_ request: ConflictRequest, by caller: Caller) async throws -> Declaration {
        try TextRule.check(request.ground, "ground", length: 1...500)
        return try await declare(.conflict, ground: request.ground, challenge: request.challenge, application: request.application, by: caller)
    }

    /// One declaration per evaluator and application: the same one again returns it unchanged
    /// (and records nothing more); a different one is refused.
    private func declare(_ kind: DeclarationKind, ground: String?, challenge: ChallengeID, application: ApplicationID, by caller: Caller) async throws -> Declaration {
        let (declaration, declaredNow) = try await changing { tx -> (Declaration, Bool) in
            let row = try await self.openForChange(challenge, on: tx)
            _ = try await self.application(row.challenge, application, on: tx)
            let seat = try await self.seat(of: caller, row.challenge, application, on: tx)
            if let existing = seat.declaration, let declaredAt = seat.declaredAt {
                guard existing == kind, seat.ground == ground else {
                    throw RPCError(.failedPrecondition, "\(caller.subject) has already declared \(existing.rawValue) for application \(application); a declaration is made once")
                }
                return (Declaration(challenge: row.challenge, application: application, evaluator: caller.subject, kind: existing, ground: seat.ground, declaredAt: declaredAt), false)
            }
            let now = self.clock.now()
            let declaration = Declaration(challenge: row.challenge, application: application, evaluator: caller.subject, kind: kind, ground: ground, declaredAt: now)
            try await self.store.setDeclaration(declaration, on: tx)
            let payload: EventPayload = switch kind {
            case .impartial: .impartialityDeclared(ImpartialityDeclared(evaluator: caller.subject, application: application))
            case .conflict: .evaluatorRecused(EvaluatorRecused(evaluator: caller.subject, application: application, ground: ground ?? ""))
            }
            try await self.emit(payload, challenge: row.challenge, by: caller, at: now, on: tx)
            return (declaration, true)
        }
        if declaredNow {
            log.info(kind == .impartial ? "impartiality declared" : "evaluator recused", metadata: [
                "challenge": .string(challenge.rawValue), "application": .string(application.rawValue), "evaluator": .string(caller.subject),
            ])
        }
        return declaration
    }
}
