import Foundation
import Logging
public import Messages
public import RPC
import ServiceKit
import SQLKit

extension NegotiationService {
    /// Equal treatment (DESIGN.md §5): information that concerns the competition goes to
    /// every dialogue of the challenge that has not ended, at the same instant, with the same
    /// text and digest (SHA-256 of its UTF-8 bytes). The text is stored once; each recipient
    /// gets a delivery. `clarification.sent` records the recipients and the digest.
    ///
    /// Text only: the request type refuses any other member, so no ref or attachment — no
    /// material of one dialogue — can ride along to the others.
    /// - Throws: `failed_precondition` when no dialogue is running; `not_found` when the
    ///   challenge has no dialogues.
    public func sendClarification(_ request: SendClarificationRequest, by caller: Caller) async throws -> Clarification {
        try TextRule.check(request.text, "text", length: 1...10_000)
        let clarification = try await changing { tx -> Clarification in
            try await self.lock(request.challenge, on: tx)
            let recipients = try await self.store.dialogues(request.challenge, on: tx).filter { $0.status != .ended }.map(\.dialogue)
            guard !recipients.isEmpty else {
                throw RPCError(.failedPrecondition, "no dialogue of \(request.challenge) is running: a clarification needs recipients")
            }
            let now = self.clock.now()
            let clarification = Clarification(
                challenge: request.challenge,
                number: try await self.store.nextNumber(in: "neg_clarifications", column: "challenge_id", key: request.challenge.rawValue, on: tx),
                text: request.text, digest: .sha256(Data(request.text.utf8)), recipients: recipients, sentAt: now)
            try await self.store.insertClarification(clarification, by: caller.subject, on: tx)
            try await self.store.deliver(.clarification, number: clarification.number, to: recipients, at: now, on: tx)
            let sent = ClarificationSent(number: clarification.number, recipients: recipients, notice: clarification.digest)
            try await self.emit(.clarificationSent(sent), challenge: request.challenge, by: caller.actor, at: now, on: tx)
            return clarification
        }
        log.info("clarification sent", metadata: [
            "challenge": .string(request.challenge.rawValue), "clarification": .stringConvertible(clarification.number),
            "recipients": .stringConvertible(clarification.recipients.count), "by": .string(caller.subject),
        ])
        return clarification
    }
}
