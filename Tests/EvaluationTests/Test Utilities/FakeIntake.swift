import Evaluation
import Messages
import Synchronization

/// A stand-in for Intake behind the ``IntakeSource`` seam: the challenges and applications a
/// test puts there, or `unavailable` when the test makes it unreachable. The real Intake over
/// HTTP/2 is in ``EvaluationProcessTests``.
final class FakeIntake: IntakeSource {
    private struct State {
        var challenges: [ChallengeID: Challenge] = [:]
        var applications: [ChallengeID: [Application]] = [:]
        var reachable = true
        var calls = 0
    }

    private let state = Mutex(State())

    func put(_ challenge: Challenge, applications: [Application]) {
        state.withLock {
            $0.challenges[challenge.id] = challenge
            $0.applications[challenge.id] = applications
        }
    }

    func setStatus(_ status: ChallengeStatus, of id: ChallengeID) { state.withLock { $0.challenges[id]?.status = status } }
    func setReachable(_ reachable: Bool) { state.withLock { $0.reachable = reachable } }
    var calls: Int { state.withLock { $0.calls } }

    func challenge(_ id: ChallengeID) async throws(RPCError) -> Challenge {
        let result: Result<Challenge, RPCError> = state.withLock { state in
            state.calls += 1
            guard state.reachable else { return .failure(RPCError(.unavailable, "Intake cannot be reached (unavailable); try again")) }
            guard let challenge = state.challenges[id] else { return .failure(RPCError(.notFound, "Intake has no such challenge")) }
            return .success(challenge)
        }
        return try result.get()
    }

    /// Like Intake's `ListApplications` without withdrawn ones.
    func applications(of id: ChallengeID) async throws(RPCError) -> [Application] {
        let result: Result<[Application], RPCError> = state.withLock { state in
            state.calls += 1
            guard state.reachable else { return .failure(RPCError(.unavailable, "Intake cannot be reached (unavailable); try again")) }
            return .success((state.applications[id] ?? []).filter { $0.status == .received })
        }
        return try result.get()
    }
}
