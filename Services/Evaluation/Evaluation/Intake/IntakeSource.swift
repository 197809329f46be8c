import Logging
public import Messages
public import RPC

/// Where Evaluation reads a challenge's frozen terms and its applications: Intake. A seam to
/// another service, so handler tests can stand in for Intake; ``RPCIntakeSource`` is the real
/// one.
public protocol IntakeSource: Sendable {
    /// The challenge as Intake holds it (its status says whether intake closed).
    func challenge(_ id: ChallengeID) async throws(RPCError) -> Challenge
    /// The challenge's standing applications (not withdrawn), in order of first receipt.
    func applications(of id: ChallengeID) async throws(RPCError) -> [Application]
}

/// Intake over RPC, with Evaluation's own service token (Intake lets role `service` list a
/// challenge's applications).
///
/// A challenge Intake does not know stays `not_found`; anything else Intake answers — it is
/// unreachable, overloaded, or refuses this service's token — is `unavailable` to the
/// officer, who can try again, and the code is logged for the operator.
public struct RPCIntakeSource: IntakeSource {
    let client: RPCClient

    public init(client: RPCClient) { self.client = client }

    public func challenge(_ id: ChallengeID) async throws(RPCError) -> Challenge {
        try await translating { () async throws(RPCError) in try await client.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: id)) }
    }

    public func applications(of id: ChallengeID) async throws(RPCError) -> [Application] {
        try await translating { () async throws(RPCError) in
            try await client.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: id, includeWithdrawn: false)).applications
        }
    }

    private func translating<T>(_ body: () async throws(RPCError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch where error.code == .notFound {
            throw RPCError(.notFound, "Intake has no such challenge")
        } catch {
            CallContext.current?.logger.warning("Intake call failed", metadata: ["code": .string(error.code.rawValue)])
            throw RPCError(.unavailable, "Intake cannot be reached (\(error.code.rawValue)); try again")
        }
    }
}
