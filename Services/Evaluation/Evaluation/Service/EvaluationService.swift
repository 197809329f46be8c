public import Logging
import Messages
public import RPC
public import ServiceKit
import SQLKit

/// Evaluation's rules over its storage (DESIGN.md §5, Evaluation): the evaluation opened from
/// Intake's frozen terms, the panel, impartiality, access grants, blind scoring, consensus,
/// the ranking by the published method, the shortlist and each startup's feedback.
///
/// Every change runs in one transaction that first locks the evaluation row, reads legal
/// time from ``clock`` there, checks its rules, and writes the state change and its event (to
/// Records, through the outbox) together: a refusal changes nothing, and an accepted change
/// is never without its event. Once finalised, nothing changes. Errors and log lines carry
/// ids and subjects, never what evaluators wrote, and never a grant's token.
public final class EvaluationService: Sendable {
    /// What the operator configures (``EvaluationSettings``).
    public struct Policy: Sendable {
        /// How long an access grant is valid.
        public var grantSeconds: Int
        /// Evaluators whose points for a criterion differ by more than this (whole points)
        /// need a recorded consensus. Fixed per evaluation when it is opened.
        public var consensusSpreadPoints: Int

        public init(grantSeconds: Int = 300, consensusSpreadPoints: Int = 2) {
            self.grantSeconds = grantSeconds
            self.consensusSpreadPoints = consensusSpreadPoints
        }
    }

    let database: Database
    let store: EvaluationStore
    let clock: any WallClock
    let intake: any IntakeSource
    let grantIssuer: AccessGrantIssuer
    let policy: Policy
    let logger: Logger
    let onEventsEnqueued: @Sendable () -> Void

    /// - Parameter onEventsEnqueued: called after a commit that enqueued events (wakes the
    ///   ``OutboxSender``).
    public init(
        database: Database, clock: any WallClock, intake: any IntakeSource, grantIssuer: AccessGrantIssuer, policy: Policy = Policy(),
        logger: Logger, onEventsEnqueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.store = EvaluationStore(dialect: database.dialect)
        self.clock = clock
        self.intake = intake
        self.grantIssuer = grantIssuer
        self.policy = policy
        self.logger = logger
        self.onEventsEnqueued = onEventsEnqueued
    }

    /// The call's logger (with its request and trace ids) when serving a call.
    var log: Logger { CallContext.current?.logger ?? logger }

    /// Runs `body` in a transaction that may enqueue events, and wakes the sender after commit.
    func changing<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let result = try await database.transaction(body)
        onEventsEnqueued()
        return result
    }

    /// Writes `payload` as an event of `challenge` for Records, on the caller's transaction.
    func emit(_ payload: EventPayload, challenge: ChallengeID, by caller: Caller, at time: Timestamp, on tx: any SQLDatabase) async throws {
        let event = ProcurementEvent(id: EventID(), challenge: challenge, actor: caller.actor, time: time, payload: payload)
        try await Outbox.record(event, on: tx)
    }

    /// The evaluation of `challenge`, locked when `forUpdate`.
    func evaluation(_ challenge: ChallengeID, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> EvaluationStore.EvaluationRow {
        guard let row = try await store.evaluation(challenge, forUpdate: forUpdate, on: db) else {
            throw RPCError(.notFound, "challenge \(challenge) has no evaluation")
        }
        return row
    }

    /// The evaluation, locked, for a change: refused once finalised.
    func openForChange(_ challenge: ChallengeID, on tx: any SQLDatabase) async throws -> EvaluationStore.EvaluationRow {
        let row = try await evaluation(challenge, forUpdate: true, on: tx)
        guard !row.isFinalised else { throw RPCError(.failedPrecondition, "the evaluation of \(challenge) is finalised: nothing changes") }
        return row
    }

    func application(_ challenge: ChallengeID, _ id: ApplicationID, on db: any SQLDatabase) async throws -> EvaluatedApplication {
        guard let application = try await store.application(challenge, id, on: db) else {
            throw RPCError(.notFound, "application \(id) is not in the evaluation of \(challenge)")
        }
        return application
    }

    /// The caller's seat on an application: assigned and not removed, else `permission_denied`.
    func seat(of caller: Caller, _ challenge: ChallengeID, _ application: ApplicationID, on db: any SQLDatabase) async throws -> EvaluationStore.AssignmentRow {
        guard let seat = try await store.assignment(challenge, application, evaluator: caller.subject, on: db) else {
            throw RPCError(.permissionDenied, "\(caller.subject) is not assigned to application \(application)")
        }
        guard seat.removedAt == nil else {
            throw RPCError(.permissionDenied, "\(caller.subject) was removed from application \(application)")
        }
        return seat
    }

    /// Evaluators read an evaluation only while on its panel: assigned (and not removed) to at
    /// least one of its applications. Officers, auditors and services (a caller holding one of
    /// those roles besides `evaluator` acts in it, ``EvaluationHandlers``) always.
    func requirePanelMember(_ caller: Caller, _ challenge: ChallengeID, on db: any SQLDatabase) async throws {
        guard caller.role == .evaluator else { return }
        guard try await store.isAssigned(challenge, evaluator: caller.subject, on: db) else {
            throw RPCError(.permissionDenied, "\(caller.subject) is not assigned to any application of \(challenge)")
        }
    }

    /// The caller's seat, which must carry a declaration of impartiality.
    func impartialSeat(of caller: Caller, _ challenge: ChallengeID, _ application: ApplicationID, on db: any SQLDatabase) async throws -> EvaluationStore.AssignmentRow {
        let seat = try await seat(of: caller, challenge, application, on: db)
        switch seat.declaration {
        case .impartial?: return seat
        case .conflict?: throw RPCError(.permissionDenied, "\(caller.subject) is recused from application \(application)")
        case nil: throw RPCError(.permissionDenied, "\(caller.subject) must declare impartiality for application \(application) first")
        }
    }
}
