public import Logging
import Messages
import RPC
public import ServiceKit
import SQLKit

/// Intake's rules over its storage (DESIGN.md §5, Intake): challenges and their frozen terms,
/// amendments, interest, questions, applications and the closing of intake.
///
/// Every method checks its rules inside one database transaction that also locks the
/// challenge, reads the legal time from ``clock`` there, and writes the state change and
/// its event (to Records, through the outbox) together, so a refusal changes nothing and
/// an accepted change is never without its event. Errors and log lines carry ids, never
/// the text a caller sent.
public final class IntakeService: Sendable {
    let database: Database
    let store: IntakeStore
    let clock: any WallClock
    let receiptKey: VaultReceiptKey
    let logger: Logger
    let onEventsEnqueued: @Sendable () -> Void

    /// - Parameter onEventsEnqueued: called after a commit that enqueued events (wakes the
    ///   ``OutboxSender``).
    public init(database: Database, clock: any WallClock, receiptKey: VaultReceiptKey, logger: Logger, onEventsEnqueued: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.store = IntakeStore(dialect: database.dialect)
        self.clock = clock
        self.receiptKey = receiptKey
        self.logger = logger
        self.onEventsEnqueued = onEventsEnqueued
    }

    /// The call's logger (with its request and trace ids) when serving a call.
    var log: Logger { CallContext.current?.logger ?? logger }

    /// Runs `body` in a transaction that enqueues events, and wakes the sender after commit.
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

    /// The challenge as `caller` may see it: a draft is an officer's only, and to anyone else
    /// it does not exist.
    func visibleChallenge(_ id: ChallengeID, to caller: Caller?, forUpdate: Bool = false, on db: any SQLDatabase) async throws -> IntakeStore.ChallengeRow {
        guard let row = try await store.challenge(id, forUpdate: forUpdate, on: db), row.status != .draft || caller?.isOfficer == true else {
            throw RPCError(.notFound, "no challenge \(id)")
        }
        return row
    }
}
