import Foundation
import Messages
import ServiceKit
import SQLKit

/// A dialogue's rounds, messages, offers and pilots: metadata and refs, never content.
extension NegotiationStore {
    // MARK: Rounds

    func rounds(_ dialogue: DialogueID, on db: any SQLDatabase) async throws -> [Round] {
        try await db.raw("""
            SELECT number, scheduled_at, offer_deadline, agenda, held_at, attendance, minutes_ref, minutes_commitment
            FROM neg_rounds WHERE dialogue_id = \(bind: dialogue.rawValue) ORDER BY number
            """).all().map { row in
            Round(
                number: try row.int("number"), scheduledAt: try row.timestamp("scheduled_at"), offerDeadline: try row.optionalTimestamp("offer_deadline"),
                agenda: try row.string("agenda"), heldAt: try row.optionalTimestamp("held_at"),
                attendance: try row.decode(column: "attendance", as: String?.self).map { try JSONCoding.decoder().decode([String].self, from: Data($0.utf8)) },
                minutes: try row.decode(column: "minutes_ref", as: String?.self).map { text in
                    guard let ref = VaultRef(text) else { throw RPCError(.dataLoss, "stored minutes_ref is malformed") }
                    return ref
                },
                minutesCommitment: try row.decode(column: "minutes_commitment", as: String?.self).map { text in
                    guard let digest = Digest(text) else { throw RPCError(.dataLoss, "stored minutes_commitment is malformed") }
                    return digest
                })
        }
    }

    func insertRound(_ round: Round, dialogue: DialogueID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_rounds (dialogue_id, number, scheduled_at, offer_deadline, agenda)
            VALUES (\(bind: dialogue.rawValue), \(bind: Int64(round.number)), \(bind: round.scheduledAt.millisecondsSinceEpoch),
                    \(bind: round.offerDeadline?.millisecondsSinceEpoch), \(bind: round.agenda))
            """).run()
    }

    /// Records the meeting of a round not yet held; false when it was held already.
    func recordMeeting(_ round: Round, dialogue: DialogueID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_rounds SET held_at = \(bind: round.heldAt?.millisecondsSinceEpoch), attendance = \(bind: try round.attendance.map { try jsonText($0) }),
                minutes_ref = \(bind: round.minutes?.rawValue), minutes_commitment = \(bind: round.minutesCommitment?.description)
            WHERE dialogue_id = \(bind: dialogue.rawValue) AND number = \(bind: Int64(round.number)) AND held_at IS NULL
            RETURNING number
            """).first() != nil
    }

    // MARK: Messages

    func messages(_ dialogue: DialogueID, on db: any SQLDatabase) async throws -> [DialogueMessage] {
        try await db.raw("""
            SELECT number, from_subject, from_role, ref, commitment, sent_at FROM neg_messages
            WHERE dialogue_id = \(bind: dialogue.rawValue) ORDER BY number
            """).all().map { row in
            DialogueMessage(
                number: try row.int("number"),
                from: Actor(subject: try row.string("from_subject"), role: try row.parsed("from_role", Role.init(rawValue:))),
                ref: try row.parsed("ref", VaultRef.init), commitment: try row.parsed("commitment", Digest.init), sentAt: try row.timestamp("sent_at"))
        }
    }

    func insertMessage(_ message: DialogueMessage, dialogue: DialogueID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_messages (dialogue_id, number, from_subject, from_role, ref, commitment, sent_at)
            VALUES (\(bind: dialogue.rawValue), \(bind: Int64(message.number)), \(bind: message.from.subject), \(bind: message.from.role.rawValue),
                    \(bind: message.ref.rawValue), \(bind: message.commitment.description), \(bind: message.sentAt.millisecondsSinceEpoch))
            """).run()
    }

    // MARK: Offers

    /// The dialogue's offers, oldest version first, without ``Offer/countsFor`` (the service
    /// works that out from the rounds and the clock).
    func offers(_ dialogue: DialogueID, on db: any SQLDatabase) async throws -> [Offer] {
        try await db.raw("""
            SELECT version, ref, commitment, submitted_at FROM neg_offers WHERE dialogue_id = \(bind: dialogue.rawValue) ORDER BY version
            """).all().map { row in
            Offer(
                version: try row.int("version"), ref: try row.parsed("ref", VaultRef.init), commitment: try row.parsed("commitment", Digest.init),
                submittedAt: try row.timestamp("submitted_at"), countsFor: [])
        }
    }

    func insertOffer(_ offer: Offer, dialogue: DialogueID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_offers (dialogue_id, version, ref, commitment, submitted_at)
            VALUES (\(bind: dialogue.rawValue), \(bind: Int64(offer.version)), \(bind: offer.ref.rawValue), \(bind: offer.commitment.description),
                    \(bind: offer.submittedAt.millisecondsSinceEpoch))
            """).run()
    }

    // MARK: Pilots

    func pilots(_ dialogue: DialogueID, on db: any SQLDatabase) async throws -> [Pilot] {
        try await db.raw("""
            SELECT number, hypothesis, metrics, duration_days, budget_cap, defined_at, result, decision FROM neg_pilots
            WHERE dialogue_id = \(bind: dialogue.rawValue) ORDER BY number
            """).all().map { row in
            Pilot(
                number: try row.int("number"), hypothesis: try row.string("hypothesis"), metrics: try row.json("metrics", as: [PilotMetric].self),
                durationDays: try row.int("duration_days"), budgetCap: Money(ore: try row.decode(column: "budget_cap", as: Int64.self)),
                definedAt: try row.timestamp("defined_at"),
                result: try row.decode(column: "result", as: String?.self).map { try JSONCoding.decoder().decode(PilotResult.self, from: Data($0.utf8)) },
                decision: try row.decode(column: "decision", as: String?.self).map { try JSONCoding.decoder().decode(PilotDecisionRecord.self, from: Data($0.utf8)) })
        }
    }

    func insertPilot(_ pilot: Pilot, dialogue: DialogueID, by subject: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO neg_pilots (dialogue_id, number, hypothesis, metrics, duration_days, budget_cap, defined_at, defined_by)
            VALUES (\(bind: dialogue.rawValue), \(bind: Int64(pilot.number)), \(bind: pilot.hypothesis), \(bind: try jsonText(pilot.metrics)),
                    \(bind: Int64(pilot.durationDays)), \(bind: pilot.budgetCap.ore), \(bind: pilot.definedAt.millisecondsSinceEpoch), \(bind: subject))
            """).run()
    }

    /// Records the result of a pilot not yet reported; false when it was reported already.
    func setResult(_ result: PilotResult, pilot: Int, dialogue: DialogueID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_pilots SET result = \(bind: try jsonText(result))
            WHERE dialogue_id = \(bind: dialogue.rawValue) AND number = \(bind: Int64(pilot)) AND result IS NULL RETURNING number
            """).first() != nil
    }

    /// Records the decision on a pilot not yet decided; false when it was decided already.
    func setDecision(_ decision: PilotDecisionRecord, pilot: Int, dialogue: DialogueID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE neg_pilots SET decision = \(bind: try jsonText(decision))
            WHERE dialogue_id = \(bind: dialogue.rawValue) AND number = \(bind: Int64(pilot)) AND decision IS NULL RETURNING number
            """).first() != nil
    }
}
