public import Logging
public import ServiceKit

/// Closes intake at the deadline without an officer: every `interval` it closes each
/// published challenge whose application deadline has passed by the legal clock, as the
/// actor `intake` (role `service`). An officer's ``IntakeService/closeIntake(_:by:)`` racing
/// it is harmless: exactly one of them records `intake.closed`.
public enum IntakeCloser {
    public static func make(intake: IntakeService, interval: Duration, logger: Logger) -> PeriodicTask {
        PeriodicTask("IntakeCloser", every: interval, failureMessage: "automatic closing failed", logger: logger) {
            _ = try await intake.closeDueChallenges()
        }
    }
}
