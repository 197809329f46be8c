public import Logging
import Messages
public import RPC
public import ServiceKit
import SQLKit

/// Negotiation's rules over its storage (DESIGN.md §5, Negotiation): one confidential
/// dialogue per shortlisted startup, rounds, messages, offers and pilots held by their Vault
/// refs, equal-treatment notices, the award with its standstill period, complaints, and the
/// agreements.
///
/// Every change runs in one transaction that first locks the challenge's row, reads legal
/// time from ``clock`` there, checks its rules, and writes the state change and its event (to
/// Records, through the outbox) together: a refusal changes nothing, and an accepted change
/// is never without its event. Errors and log lines carry ids, numbers and subjects — never
/// what anyone wrote or measured, and never a grant's token.
public final class NegotiationService: Sendable {
    /// What the operator configures (``NegotiationSettings``).
    public struct Policy: Sendable {
        /// How long an access grant is valid.
        public var grantSeconds: Int
        /// How long the standstill period after an award notice lasts.
        public var standstillDays: Int

        public init(grantSeconds: Int = 300, standstillDays: Int = 10) {
            self.grantSeconds = grantSeconds
            self.standstillDays = standstillDays
        }
    }

    let database: Database
    let store: NegotiationStore
    let clock: any WallClock
    let evaluation: any EvaluationSource
    let receiptKey: VaultReceiptKey
    let grantIssuer: AccessGrantIssuer
    let policy: Policy
    let logger: Logger
    let onEventsEnqueued: @Sendable () -> Void

    /// - Parameter onEventsEnqueued: called after a commit that enqueued events (wakes the
    ///   ``OutboxSender``).
    public init(
        database: Database, clock: any WallClock, evaluation: any EvaluationSource, receiptKey: VaultReceiptKey, grantIssuer: AccessGrantIssuer,
        policy: Policy = Policy(), logger: Logger, onEventsEnqueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.store = NegotiationStore(dialect: database.dialect)
        self.clock = clock
        self.evaluation = evaluation
        self.receiptKey = receiptKey
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
    func emit(_ payload: EventPayload, challenge: ChallengeID, by actor: Actor, at time: Timestamp, on tx: any SQLDatabase) async throws {
        try await Outbox.record(ProcurementEvent(id: EventID(), challenge: challenge, actor: actor, time: time, payload: payload), on: tx)
    }

    // MARK: Finding and locking

    /// Locks `challenge` for a change (see ``NegotiationStore/challengeExists(_:forUpdate:on:)``).
    /// - Throws: `not_found` when its dialogues were never opened.
    func lock(_ challenge: ChallengeID, on tx: any SQLDatabase) async throws {
        guard try await store.challengeExists(challenge, forUpdate: true, on: tx) else {
            throw RPCError(.notFound, "challenge \(challenge) has no dialogues")
        }
    }

    /// The dialogue as `caller` may see it.
    /// - Throws: `not_found` when there is none — and to a startup for another startup's
    ///   dialogue, so a startup cannot even learn which dialogues exist; `permission_denied` to
    ///   a negotiator not assigned to it.
    func visibleDialogue(_ id: DialogueID, to caller: Caller, on db: any SQLDatabase) async throws -> NegotiationStore.DialogueRow {
        guard let row = try await store.dialogue(id, on: db), caller.role != .startup || caller.organisation == row.orgNumber else {
            throw RPCError(.notFound, "no dialogue \(id)")
        }
        guard caller.mayRead(row) else { throw RPCError(.permissionDenied, "\(caller.subject) is not a participant of dialogue \(id)") }
        return row
    }

    /// The dialogue, for a change by `caller`: the challenge locked first, then the dialogue
    /// read as it stands under the lock.
    func dialogueForChange(_ id: DialogueID, by caller: Caller, on tx: any SQLDatabase) async throws -> NegotiationStore.DialogueRow {
        let seen = try await visibleDialogue(id, to: caller, on: tx)
        try await lock(seen.challenge, on: tx)
        return try await visibleDialogue(id, to: caller, on: tx)
    }

    /// Requires the dialogue to be in `status`.
    func require(_ row: NegotiationStore.DialogueRow, _ statuses: Set<DialogueStatus>, to action: String) throws(RPCError) {
        guard statuses.contains(row.status) else {
            throw RPCError(.failedPrecondition, "dialogue \(row.dialogue) is \(row.status.rawValue): cannot \(action)")
        }
    }

    // MARK: Receipts and refs

    /// Checks that `receipt` is the Vault's, for this dialogue's startup and challenge, under
    /// `field`, deposited by the caller: the startup itself (no author), or the officer or
    /// negotiator in the role they act in. So no material of another dialogue — another
    /// organisation's — is ever accepted here.
    /// - Throws: `permission_denied` for another organisation's deposit; `invalid_argument`
    ///   (``VaultReceiptKey/verify(_:owner:challenge:field:author:path:)``) for the rest.
    func verify(_ receipt: DepositReceipt, field: String, for row: NegotiationStore.DialogueRow, by caller: Caller, path: String) throws(RPCError) {
        let author: Actor? = caller.role == .startup ? nil : caller.actor
        do {
            try receiptKey.verify(receipt, owner: row.orgNumber, challenge: row.challenge, field: field, author: author, path: path)
        } catch where error.code == .permissionDenied {
            throw RPCError(.permissionDenied, "\(path) was deposited for another organisation: dialogue \(row.dialogue) takes only its own startup's material")
        }
    }

    /// Adds the receipt's ref to the dialogue.
    /// - Throws: `already_exists` when the dialogue holds that ref already.
    func add(_ receipt: DepositReceipt, as kind: NegotiationStore.RefKind, to row: NegotiationStore.DialogueRow, at time: Timestamp, path: String, on tx: any SQLDatabase) async throws {
        guard try await store.insertRef(receipt.ref, kind: kind, dialogue: row.dialogue, at: time, on: tx) else {
            throw RPCError(.alreadyExists, "\(path): ref \(receipt.ref) is already in dialogue \(row.dialogue); deposit new content instead")
        }
    }

    // MARK: Reading

    /// The dialogue with its rounds, messages, offers (which counts for which round, as of
    /// now), pilots and notices.
    func dialogue(_ row: NegotiationStore.DialogueRow, on db: any SQLDatabase) async throws -> Dialogue {
        let rounds = try await store.rounds(row.dialogue, on: db)
        let offers = OfferCounting.annotate(try await store.offers(row.dialogue, on: db), rounds: rounds, now: clock.now())
        return Dialogue(
            dialogue: row.dialogue, challenge: row.challenge, application: row.application, orgNumber: row.orgNumber, companyName: row.companyName,
            rank: row.rank, applicationRef: row.applicationRef, status: row.status, negotiators: row.negotiators, rounds: rounds,
            messages: try await store.messages(row.dialogue, on: db), offers: offers, pilots: try await store.pilots(row.dialogue, on: db),
            notices: try await store.notices(row, on: db), outcome: row.outcome, endReason: row.endReason, openedAt: row.openedAt)
    }

    /// The award with its open complaints.
    func award(_ row: NegotiationStore.AwardRow, on db: any SQLDatabase) async throws -> Award {
        row.award(openComplaints: try await store.openComplaints(row.challenge, award: row.number, on: db))
    }
}
