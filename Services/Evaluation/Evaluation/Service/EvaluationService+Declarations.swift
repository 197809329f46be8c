import Logging
public import Messages
import ServiceKit
import SQLKit
public import RPC

extension EvaluationService {
    /// An assigned evaluator declares having no conflict of interest with one application;
    /// from then on they may request access and score it.
    public func declareImpartiality(_ request: DeclarationRequest, by caller: Caller) async throws -> Declaration {
        try await declare(.impartial, ground: nil, challenge: request.challenge, application: request.application, by: caller)
    }

    /// An assigned evaluator declares a conflict (forvaltningsloven § 6) with one application,
    /// and is recused from it: no access, no scores. The ground is recorded.
    ///
    /// A conflict can come to light after the evaluator declared impartiality: until their
    /// sheet for the application is done they may still declare it. Their unfinished sheet is
    /// then discarded and `evaluator.recused` recorded; the earlier `impartiality.declared`
    /// stays in the record. Once the sheet is done it counts, and the conflict is refused.
    public func declareConflict(_ request: ConflictRequest, by caller: Caller) async throws -> Declaration {
        try TextRule.check(request.ground, "ground", length: 1...500)
        return try await declare(.conflict, ground: request.ground, challenge: request.challenge, application: request.application, by: caller)
    }

    /// The same declaration again returns it unchanged (and records nothing more); impartiality
    /// may give way to a conflict while the sheet is not done; anything else is refused.
    private func declare(_ kind: DeclarationKind, ground: String?, challenge: ChallengeID, application: ApplicationID, by caller: Caller) async throws -> Declaration {
        let (declaration, outcome) = try await changing { tx -> (Declaration, Outcome) in
            let row = try await self.openForChange(challenge, on: tx)
            _ = try await self.application(row.challenge, application, on: tx)
            let seat = try await self.seat(of: caller, row.challenge, application, on: tx)
            var discarded = false
            if let existing = seat.declaration, let declaredAt = seat.declaredAt {
                if existing == kind, seat.ground == ground {
                    return (Declaration(challenge: row.challenge, application: application, evaluator: caller.subject, kind: existing, ground: seat.ground, declaredAt: declaredAt), .unchanged)
                }
                guard existing == .impartial, kind == .conflict else {
                    throw RPCError(.failedPrecondition, "\(caller.subject) has already declared \(existing.rawValue) for application \(application); a declaration is made once")
                }
                let sheet = try await self.store.sheets(row.challenge, application: application, evaluator: caller.subject, on: tx).first
                if sheet?.done == true {
                    throw RPCError(.failedPrecondition, "the sheet of \(caller.subject) for application \(application) is done: it counts, and a conflict can no longer be declared")
                }
                if sheet != nil {
                    try await self.store.deleteSheet(row.challenge, application, evaluator: caller.subject, on: tx)
                    discarded = true
                }
            }
            let now = self.clock.now()
            let declaration = Declaration(challenge: row.challenge, application: application, evaluator: caller.subject, kind: kind, ground: ground, declaredAt: now)
            try await self.store.setDeclaration(declaration, on: tx)
            let payload: EventPayload = switch kind {
            case .impartial: .impartialityDeclared(ImpartialityDeclared(evaluator: caller.subject, application: application))
            case .conflict: .evaluatorRecused(EvaluatorRecused(evaluator: caller.subject, application: application, ground: ground ?? ""))
            }
            try await self.emit(payload, challenge: row.challenge, by: caller, at: now, on: tx)
            return (declaration, seat.declaration == nil ? .declared : .recusedLate(sheetDiscarded: discarded))
        }
        var metadata: Logger.Metadata = [
            "challenge": .string(challenge.rawValue), "application": .string(application.rawValue), "evaluator": .string(caller.subject),
        ]
        switch outcome {
        case .unchanged:
            break
        case .declared:
            log.info(kind == .impartial ? "impartiality declared" : "evaluator recused", metadata: metadata)
        case .recusedLate(let discarded):
            metadata["after_impartiality"] = "true"
            metadata["sheet_discarded"] = .stringConvertible(discarded)
            log.info("evaluator recused", metadata: metadata)
        }
        return declaration
    }

    /// What a declaration call did, for its log line.
    private enum Outcome: Sendable {
        case unchanged
        case declared
        case recusedLate(sheetDiscarded: Bool)
    }
}
