import Logging
import ServiceKit
public import Messages
import Metrics
import SQLKit
public import RPC

extension IntakeService {
    /// What a submission came to: a receipt, or a late rejection that is recorded (its event
    /// and the late count commit) before the caller is refused.
    enum Submission: Sendable {
        case received(ApplicationReceipt)
        case late(deadline: Timestamp, at: Timestamp)
    }

    /// Checks that `receipt` is the Vault's, for `org`'s content for `challenge`, deposited by
    /// the startup itself. An application's confidential part is what the startup gave the
    /// Vault: content an officer or negotiator deposited for it in a dialogue (a receipt with
    /// an author) is refused with `invalid_argument` on `confidential.author`.
    func verifyOwnDeposit(_ receipt: DepositReceipt, org: OrgNumber, challenge: ChallengeID) throws(RPCError) {
        try receiptKey.verify(receipt, owner: org, challenge: challenge, author: nil, path: "confidential")
    }

    /// A startup applies, once per challenge, up to and including the deadline's millisecond.
    ///
    /// After the deadline every submission is refused with `failed_precondition`, with no
    /// discretion, and only the fact is kept: `application.rejected_late` and the challenge's
    /// late count, nothing of the submission. The receipt's time is the server's legal clock,
    /// read with the challenge locked, so no application is received after intake closed.
    ///
    /// Tenders stay confidential until the deadline: `application.received` names no one. Its
    /// `applicant` seals the organisation number and company name with a random salt kept
    /// here, which the closing publishes (``close(_:by:)``), and its actor is Intake, since the
    /// startup's subject could name it.
    public func submitApplication(_ request: SubmitApplicationRequest, by caller: Caller) async throws -> ApplicationReceipt {
        let org = try caller.requireOrganisation()
        let outcome = try await changing { tx -> Submission in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            let now = self.clock.now()
            let deadline = row.applicationDeadline
            guard row.timelineInForce.acceptsApplications(at: now) else {
                // Refused whatever it holds. It is recorded only when the Vault vouches for it
                // (a receipt of this organisation for this challenge) and only the first time
                // per organisation, so a late call cannot write arbitrary entries into the
                // public record.
                let vouched = (try? self.verifyOwnDeposit(request.confidential, org: org, challenge: row.id)) != nil
                if vouched, try await self.store.countRejectedLate(row.id, org: org, at: now, on: tx) {
                    try await self.emit(.applicationRejectedLate(ApplicationRejectedLate(orgNumber: org, receivedAt: now, deadline: deadline)), challenge: row.id, by: caller, at: now, on: tx)
                }
                return .late(deadline: deadline, at: now)
            }
            guard row.status == .published else { throw RPCError(.failedPrecondition, "challenge \(row.id) is not open for applications") }
            try self.verifyOwnDeposit(request.confidential, org: org, challenge: row.id)
            try ApplicationRules.check(request.application, budget: row.terms.budget, path: "application")
            if let existing = try await self.store.application(challenge: row.id, org: org, on: tx) {
                throw RPCError(.alreadyExists, "organisation \(org) already applied to challenge \(row.id) (application \(existing.id))" + (existing.status == .withdrawn ? "; a withdrawn application cannot be resubmitted" : "; amend it instead"))
            }
            let receipt = request.confidential
            let id = ApplicationID()
            let digest = try ApplicationDigest.compute(
                challenge: row.id, orgNumber: org, publicPart: request.application, commitment: receipt.commitment, vaultRef: receipt.ref, version: 1)
            let application = Application(
                id: id, challenge: row.id, orgNumber: org, status: .received, publicPart: request.application, version: 1,
                commitment: receipt.commitment, vaultRef: receipt.ref, receivedAt: now, updatedAt: now, digest: digest, withdrawnAt: nil)
            let salt = SealedApplicant.newSalt()
            try await self.store.insertApplication(application, applicantSalt: salt, on: tx)
            let applicant = try SealedApplicant.seal(orgNumber: org, companyName: request.application.companyName, salt: salt)
            let event = ApplicationReceived(application: id, applicant: applicant, commitment: receipt.commitment.digest, vaultRef: receipt.ref)
            try await self.emit(.applicationReceived(event), challenge: row.id, by: .intakeService, at: now, on: tx)
            return .received(application.receipt)
        }
        switch outcome {
        case .received(let receipt):
            Counter(label: "intake_applications_received_total").increment()
            log.info("application received", metadata: ["challenge": .string(receipt.challenge.rawValue), "application": .string(receipt.application.rawValue), "org": .string(org.rawValue)])
            return receipt
        case .late(let deadline, let now):
            Counter(label: "intake_applications_rejected_late_total").increment()
            log.notice("late application rejected", metadata: ["challenge": .string(request.challenge.rawValue), "org": .string(org.rawValue), "received_at": .string(now.iso8601)])
            throw RPCError(.failedPrecondition, "the application deadline (\(deadline)) has passed; received at \(now): the application is rejected")
        }
    }

    /// A startup replaces its own application before the deadline: the next version, with
    /// a new receipt; the confidential part stays as it was unless a new receipt is given.
    /// A new company name is not resealed: the closing opens the name sealed at submission,
    /// which the first receipt's `applicant` commits to. The event's actor is Intake, as for
    /// a submission.
    public func amendApplication(_ request: AmendApplicationRequest, by caller: Caller) async throws -> ApplicationReceipt {
        let org = try caller.requireOrganisation()
        let receipt = try await changing { tx in
            let (row, current) = try await self.ownApplication(request.application, of: org, on: tx)
            let now = self.clock.now()
            try Self.requireOpen(row, current, at: now)
            if let confidential = request.confidential {
                try self.verifyOwnDeposit(confidential, org: org, challenge: row.id)
            }
            try ApplicationRules.check(request.publicPart, budget: row.terms.budget, path: "publicPart")
            var next = current
            next.version += 1
            next.publicPart = request.publicPart
            if let confidential = request.confidential {
                next.commitment = confidential.commitment
                next.vaultRef = confidential.ref
            }
            next.updatedAt = now
            next.digest = try ApplicationDigest.compute(
                challenge: row.id, orgNumber: org, publicPart: next.publicPart, commitment: next.commitment, vaultRef: next.vaultRef, version: next.version)
            try await self.store.replaceApplication(next, on: tx)
            let event = ApplicationAmended(application: next.id, version: next.version, commitment: next.commitment.digest, vaultRef: next.vaultRef)
            try await self.emit(.applicationAmended(event), challenge: row.id, by: .intakeService, at: now, on: tx)
            return next.receipt
        }
        log.info("application amended", metadata: ["application": .string(receipt.application.rawValue), "version": .stringConvertible(receipt.version)])
        return receipt
    }

    /// A startup withdraws its own application before the deadline. It stays listed (as
    /// withdrawn) and the organisation cannot apply to the challenge again. The event names
    /// only the application, with Intake as its actor; the closing opens who withdrew.
    public func withdrawApplication(_ request: WithdrawApplicationRequest, by caller: Caller) async throws -> Application {
        let org = try caller.requireOrganisation()
        if let reason = request.reason { try TextRule.check(reason, "reason", length: 1...2000) }
        let application = try await changing { tx in
            let (row, current) = try await self.ownApplication(request.application, of: org, on: tx)
            let now = self.clock.now()
            try Self.requireOpen(row, current, at: now)
            try await self.store.markWithdrawn(current.id, at: now, on: tx)
            try await self.emit(.applicationWithdrawn(ApplicationWithdrawn(application: current.id, reason: request.reason)), challenge: row.id, by: .intakeService, at: now, on: tx)
            guard let withdrawn = try await self.store.application(current.id, on: tx) else { throw RPCError(.internal, "application vanished") }
            return withdrawn
        }
        log.info("application withdrawn", metadata: ["application": .string(application.id.rawValue)])
        return application
    }

    /// One application: a startup only its own; officers, auditors and services any.
    public func getApplication(_ request: GetApplicationRequest, by caller: Caller) async throws -> Application {
        guard let application = try await store.application(request.application, on: database.sql) else {
            throw RPCError(.notFound, "no application \(request.application)")
        }
        if caller.role == .startup && application.orgNumber != caller.organisation {
            throw RPCError(.permissionDenied, "a startup may read only its own applications")
        }
        return application
    }

    /// A challenge's applications in order of first receipt: a startup gets only its own.
    public func listApplications(_ request: ListApplicationsRequest, by caller: Caller) async throws -> ListApplicationsResponse {
        let row = try await visibleChallenge(request.challenge, to: caller, on: database.sql)
        let org = caller.role == .startup ? try caller.requireOrganisation() : nil
        return ListApplicationsResponse(applications: try await store.applications(
            challenge: row.id, org: org, includeWithdrawn: request.includeWithdrawn ?? false, on: database.sql))
    }

    /// The caller's application and its challenge, locked (challenge first, as everywhere).
    private func ownApplication(_ id: ApplicationID, of org: OrgNumber, on tx: any SQLDatabase) async throws -> (IntakeStore.ChallengeRow, Application) {
        guard let found = try await store.application(id, on: tx) else { throw RPCError(.notFound, "no application \(id)") }
        guard found.orgNumber == org else { throw RPCError(.permissionDenied, "a startup may change only its own applications") }
        guard let row = try await store.challenge(found.challenge, forUpdate: true, on: tx),
              let current = try await store.application(id, on: tx)
        else { throw RPCError(.notFound, "no application \(id)") }
        return (row, current)
    }

    /// Amending and withdrawing are open, like submitting, up to the deadline's millisecond.
    private static func requireOpen(_ row: IntakeStore.ChallengeRow, _ application: Application, at now: Timestamp) throws(RPCError) {
        guard row.status == .published, row.timelineInForce.acceptsApplications(at: now) else {
            throw RPCError(.failedPrecondition, "the application deadline (\(row.applicationDeadline)) has passed")
        }
        guard application.status == .received else { throw RPCError(.failedPrecondition, "application \(application.id) was withdrawn") }
    }
}

extension Application {
    /// The receipt of the current version.
    var receipt: ApplicationReceipt {
        ApplicationReceipt(
            application: id, challenge: challenge, orgNumber: orgNumber, version: version, receivedAt: updatedAt,
            digest: digest, commitment: commitment, vaultRef: vaultRef)
    }
}
