import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// An officer or an assigned negotiator schedules the dialogue's next round: when it
    /// meets, what it is about, and optionally the deadline for offers in it (which must lie
    /// ahead: a deadline set after the fact would choose the offer that counts in hindsight).
    /// - Throws: `failed_precondition` unless the dialogue is negotiating.
    public func scheduleRound(_ request: ScheduleRoundRequest, by caller: Caller) async throws -> Round {
        try TextRule.check(request.agenda, "agenda", length: 1...500)
        let round = try await changing { tx -> Round in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating], to: "schedule a round")
            if let deadline = request.offerDeadline, deadline <= self.clock.now() {
                throw RPCError.invalidField("offerDeadline", "must be in the future")
            }
            let number = try await self.store.nextNumber(in: "neg_rounds", column: "dialogue_id", key: row.dialogue.rawValue, on: tx)
            let round = Round(
                number: number, scheduledAt: request.scheduledAt, offerDeadline: request.offerDeadline, agenda: request.agenda,
                heldAt: nil, attendance: nil, minutes: nil, minutesCommitment: nil)
            try await self.store.insertRound(round, dialogue: row.dialogue, on: tx)
            return round
        }
        log.info("round scheduled", metadata: ["dialogue": .string(request.dialogue.rawValue), "round": .stringConvertible(round.number), "by": .string(caller.subject)])
        return round
    }

    /// An officer or an assigned negotiator records a scheduled round's meeting: when it was
    /// held (not in the future), who attended, and the minutes — deposited in the Vault by the
    /// caller for the dialogue's startup (field `minutes`). `round.held` is recorded with the
    /// minutes' ref and commitment.
    /// - Throws: `not_found` for a round not scheduled; `failed_precondition` when it was held
    ///   already or the dialogue has ended; `already_exists` when the minutes' ref is in use.
    public func recordMeeting(_ request: RecordMeetingRequest, by caller: Caller) async throws -> Round {
        guard (1...50).contains(request.attendance.count) else { throw RPCError.invalidField("attendance", "must name 1 to 50 attendees") }
        for (index, attendee) in request.attendance.enumerated() { try TextRule.check(attendee, "attendance[\(index)]", length: 1...200) }
        let round = try await changing { tx -> Round in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating, .awarded, .signed], to: "record a meeting")
            guard var round = try await self.store.rounds(row.dialogue, on: tx).first(where: { $0.number == request.round }) else {
                throw RPCError(.notFound, "dialogue \(row.dialogue) has no round \(request.round)")
            }
            guard round.heldAt == nil else { throw RPCError(.failedPrecondition, "round \(round.number) of dialogue \(row.dialogue) is recorded already") }
            let now = self.clock.now()
            guard request.heldAt <= now else { throw RPCError.invalidField("heldAt", "must not be in the future") }
            try self.verify(request.minutes, field: NegotiationAPI.Field.minutes, for: row, by: caller, path: "minutes")
            try await self.add(request.minutes, as: .minutes, to: row, at: now, path: "minutes", on: tx)
            round.heldAt = request.heldAt
            round.attendance = request.attendance
            round.minutes = request.minutes.ref
            round.minutesCommitment = request.minutes.commitment.digest
            guard try await self.store.recordMeeting(round, dialogue: row.dialogue, on: tx) else {
                throw RPCError(.failedPrecondition, "round \(round.number) of dialogue \(row.dialogue) is recorded already")
            }
            let held = RoundHeld(
                dialogue: row.dialogue, round: round.number, heldAt: request.heldAt, attendance: request.attendance,
                minutes: request.minutes.commitment.digest, vaultRef: request.minutes.ref)
            try await self.emit(.roundHeld(held), challenge: row.challenge, by: caller.actor, at: now, on: tx)
            return round
        }
        log.info("meeting recorded", metadata: ["dialogue": .string(request.dialogue.rawValue), "round": .stringConvertible(round.number), "by": .string(caller.subject)])
        return round
    }

    /// A message between the municipality and the dialogue's startup, its content deposited
    /// in the Vault by the sender (field `message`). Nothing is recorded: a message, its
    /// content and its very existence stay within the dialogue (each read of the content is
    /// recorded by the Vault).
    /// - Throws: `failed_precondition` once the dialogue has ended; `already_exists` when the
    ///   content's ref is in use.
    public func sendMessage(_ request: SendMessageRequest, by caller: Caller) async throws -> DialogueMessage {
        let message = try await changing { tx -> DialogueMessage in
            let row = try await self.dialogueForChange(request.dialogue, by: caller, on: tx)
            try self.require(row, [.negotiating, .awarded, .signed, .completed], to: "send a message")
            try self.verify(request.content, field: NegotiationAPI.Field.message, for: row, by: caller, path: "content")
            let now = self.clock.now()
            try await self.add(request.content, as: .message, to: row, at: now, path: "content", on: tx)
            let message = DialogueMessage(
                number: try await self.store.nextNumber(in: "neg_messages", column: "dialogue_id", key: row.dialogue.rawValue, on: tx),
                from: caller.actor, ref: request.content.ref, commitment: request.content.commitment.digest, sentAt: now)
            try await self.store.insertMessage(message, dialogue: row.dialogue, on: tx)
            return message
        }
        log.info("message sent", metadata: [
            "dialogue": .string(request.dialogue.rawValue), "message": .stringConvertible(message.number), "from_role": .string(caller.role.rawValue),
        ])
        return message
    }
}
