import Foundation
import Messages
import SQLKit
import ServiceKit

extension IntakeStore {
    static let applicationColumns = "id, challenge_id, org, status, public_part, version, commitment, salt, vault_ref, digest, received_at, updated_at, withdrawn_at"

    static func application(row: any SQLRow) throws -> Application {
        Application(
            id: try row.parsed("id", ApplicationID.init), challenge: try row.parsed("challenge_id", ChallengeID.init),
            orgNumber: try row.parsed("org", OrgNumber.init), status: try row.parsed("status", ApplicationStatus.init(rawValue:)),
            publicPart: try row.json("public_part", as: ApplicationPublicPart.self), version: try row.int("version"),
            commitment: SaltedDigest(digest: try row.parsed("commitment", Digest.init), salt: try row.decode(column: "salt", as: String.self)),
            vaultRef: try row.parsed("vault_ref", VaultRef.init), receivedAt: try row.timestamp("received_at"),
            updatedAt: try row.timestamp("updated_at"), digest: try row.parsed("digest", Digest.init),
            withdrawnAt: try row.optionalTimestamp("withdrawn_at"))
    }

    func application(_ id: ApplicationID, on db: any SQLDatabase) async throws -> Application? {
        try await db.raw("SELECT \(unsafeRaw: Self.applicationColumns) FROM intake_applications WHERE id = \(bind: id.rawValue)")
            .first().map(Self.application(row:))
    }

    func application(challenge: ChallengeID, org: OrgNumber, on db: any SQLDatabase) async throws -> Application? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.applicationColumns) FROM intake_applications
            WHERE challenge_id = \(bind: challenge.rawValue) AND org = \(bind: org.rawValue)
            """).first().map(Self.application(row:))
    }

    /// A challenge's applications in order of first receipt; only `org`'s when given.
    func applications(challenge: ChallengeID, org: OrgNumber?, includeWithdrawn: Bool, on db: any SQLDatabase) async throws -> [Application] {
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.applicationColumns) FROM intake_applications WHERE challenge_id = \(bind: challenge.rawValue)"
        if let org { query += " AND org = \(bind: org.rawValue)" }
        if !includeWithdrawn { query += " AND status = \(bind: ApplicationStatus.received.rawValue)" }
        query += " ORDER BY seq"
        return try await db.raw(query).all().map(Self.application(row:))
    }

    /// Inserts a new application (version 1) with the salt that seals who applied.
    func insertApplication(_ application: Application, applicantSalt: [UInt8], on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO intake_applications (id, challenge_id, org, status, public_part, version, commitment, salt, vault_ref, digest, received_at, updated_at, applicant_salt)
            VALUES (\(bind: application.id.rawValue), \(bind: application.challenge.rawValue), \(bind: application.orgNumber.rawValue),
                    \(bind: application.status.rawValue), \(bind: try jsonText(application.publicPart)), \(bind: Int64(application.version)),
                    \(bind: application.commitment.digest.description), \(bind: application.commitment.salt), \(bind: application.vaultRef.rawValue),
                    \(bind: application.digest.description), \(bind: application.receivedAt.millisecondsSinceEpoch), \(bind: application.updatedAt.millisecondsSinceEpoch),
                    \(bind: Data(applicantSalt).base64EncodedString()))
            """).run()
        try await insertVersion(of: application, on: db)
    }

    /// Replaces the current version with `application` (already given its new version).
    func replaceApplication(_ application: Application, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_applications SET public_part = \(bind: try jsonText(application.publicPart)), version = \(bind: Int64(application.version)),
                commitment = \(bind: application.commitment.digest.description), salt = \(bind: application.commitment.salt),
                vault_ref = \(bind: application.vaultRef.rawValue), digest = \(bind: application.digest.description),
                updated_at = \(bind: application.updatedAt.millisecondsSinceEpoch)
            WHERE id = \(bind: application.id.rawValue)
            """).run()
        try await insertVersion(of: application, on: db)
    }

    /// Every version is kept: each receipt stays provable.
    private func insertVersion(of application: Application, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO intake_application_versions (application_id, version, public_part, commitment, salt, vault_ref, digest, received_at)
            VALUES (\(bind: application.id.rawValue), \(bind: Int64(application.version)), \(bind: try jsonText(application.publicPart)),
                    \(bind: application.commitment.digest.description), \(bind: application.commitment.salt), \(bind: application.vaultRef.rawValue),
                    \(bind: application.digest.description), \(bind: application.updatedAt.millisecondsSinceEpoch))
            """).run()
    }

    func markWithdrawn(_ id: ApplicationID, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_applications SET status = \(bind: ApplicationStatus.withdrawn.rawValue), withdrawn_at = \(bind: now.millisecondsSinceEpoch),
                updated_at = \(bind: now.millisecondsSinceEpoch)
            WHERE id = \(bind: id.rawValue)
            """).run()
    }

    /// Every application of `challenge` opened, in order of first receipt: the organisation,
    /// the company name and salt sealed at version 1 (an amendment does not reseal), and
    /// whether it stands.
    func openedApplicants(challenge: ChallengeID, on db: any SQLDatabase) async throws -> [IntakeClosed.OpenedApplicant] {
        try await db.raw("""
            SELECT a.id, a.org, a.status, a.applicant_salt, v.public_part
            FROM intake_applications a JOIN intake_application_versions v ON v.application_id = a.id AND v.version = 1
            WHERE a.challenge_id = \(bind: challenge.rawValue) ORDER BY a.seq
            """).all().map { row in
                let status: IntakeClosed.OpenedApplicant.Status = switch try row.parsed("status", ApplicationStatus.init(rawValue:)) {
                case .received: .standing
                case .withdrawn: .withdrawn
                }
                return IntakeClosed.OpenedApplicant(
                    application: try row.parsed("id", ApplicationID.init), orgNumber: try row.parsed("org", OrgNumber.init),
                    companyName: try row.json("public_part", as: ApplicationPublicPart.self).companyName,
                    salt: try row.parsed("applicant_salt") { Data(base64Encoded: $0)?.count == SealedApplicant.saltLength ? $0 : nil },
                    status: status)
            }
    }
}
