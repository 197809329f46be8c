public import Logging
import ServiceKit
public import ServiceLifecycle

/// Closes intake at the deadline without an officer: every `interval` it closes each
/// published challenge whose application deadline has passed by the legal clock, as the
/// actor `intake` (role `service`). An officer's ``IntakeService/closeIntake(_:by:)`` racing
/// it is harmless: exactly one of them records `intake.closed`.
public struct IntakeCloser: Service, CustomStringConvertible {
    public var description: String { "IntakeCloser" }
    let intake: IntakeService
    let interval: Duration
    let logger: Logger

    public init(intake: IntakeService, interval: Duration, logger: Logger) {
        self.intake = intake
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await intake.closeDueChallenges()
                } catch {
                    // The next pass tries again; a database hiccup must not end the service.
                    logger.warning("automatic closing failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
