import Logging
import ServiceKit
public import Messages
import SQLKit
public import RPC

extension IntakeService {
    /// An officer closes intake once the application deadline has passed. Closing again
    /// returns the same summary and records nothing more.
    /// - Throws: `failed_precondition` up to and including the deadline's millisecond.
    public func closeIntake(_ request: CloseIntakeRequest, by caller: Caller) async throws -> IntakeSummary {
        try await close(request.challenge, by: caller).summary
    }

    /// Closes every published challenge whose deadline has passed by the clock, as Intake
    /// itself; returns the summaries of those this call closed. A challenge that cannot be
    /// closed now is logged and left for the next pass; it does not hold up the others.
    @discardableResult
    public func closeDueChallenges() async throws -> [IntakeSummary] {
        var closed: [IntakeSummary] = []
        for id in try await store.dueForClosing(at: clock.now(), on: database.sql) {
            do {
                let result = try await close(id, by: .intakeService)
                if result.closedNow { closed.append(result.summary) }
            } catch {
                logger.warning("automatic closing failed", metadata: [
                    "challenge": .string(id.rawValue), "error_type": .string(String(reflecting: type(of: error))),
                    "code": .string((error as? RPCError)?.code.rawValue ?? "none"),
                ])
            }
        }
        return closed
    }

    /// Closes `id` once: the conditional update lets exactly one of two racing closers (an
    /// officer and the automatic closer, or two replicas) record `intake.closed`.
    ///
    /// The closing is the opening: `intake.closed` lists every application received, in order
    /// of receipt, with the organisation number, company name and salt its
    /// `application.received` sealed, so anyone can check each seal.
    func close(_ id: ChallengeID, by caller: Caller) async throws -> (summary: IntakeSummary, closedNow: Bool) {
        let result = try await changing { tx -> (summary: IntakeSummary, closedNow: Bool) in
            let row = try await self.visibleChallenge(id, to: caller, forUpdate: true, on: tx)
            switch row.status {
            case .draft: throw RPCError(.failedPrecondition, "challenge \(row.id) is not published")
            case .closed: return (try Self.storedSummary(row), false)
            case .published: break
            }
            let now = self.clock.now()
            guard row.timelineInForce.intakeMayClose(at: now) else {
                throw RPCError(.failedPrecondition, "intake closes after the application deadline (\(row.applicationDeadline)); it is \(now)")
            }
            let applicants = try await self.store.openedApplicants(challenge: row.id, on: tx)
            let standing = applicants.filter { $0.status == .standing }.count
            let summary = IntakeSummary(
                challenge: row.id, deadline: row.applicationDeadline, applications: standing,
                withdrawn: applicants.count - standing, rejectedLate: row.rejectedLate, closedAt: now)
            guard try await self.store.markClosed(row.id, summary: summary, on: tx) else {
                guard let closed = try await self.store.challenge(row.id, on: tx) else { throw RPCError(.notFound, "no challenge \(row.id)") }
                return (try Self.storedSummary(closed), false)
            }
            let event = IntakeClosed(
                deadline: summary.deadline, applications: summary.applications, withdrawn: summary.withdrawn, rejectedLate: summary.rejectedLate,
                applicants: applicants)
            try await self.emit(.intakeClosed(event), challenge: row.id, by: caller, at: now, on: tx)
            return (summary, true)
        }
        if result.closedNow {
            log.info("intake closed", metadata: [
                "challenge": .string(id.rawValue), "by": .string(caller.subject), "applications": .stringConvertible(result.summary.applications),
            ])
        }
        return result
    }

    static func storedSummary(_ row: IntakeStore.ChallengeRow) throws(RPCError) -> IntakeSummary {
        guard let summary = row.summary else { throw RPCError(.dataLoss, "closed challenge \(row.id) has no stored summary") }
        return summary
    }
}
