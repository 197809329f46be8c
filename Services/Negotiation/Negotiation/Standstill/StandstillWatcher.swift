public import Logging
import ServiceKit
public import ServiceLifecycle

/// Ends standstill periods without an officer: every `interval` it ends each award's period
/// whose end has passed by the legal clock (``NegotiationService/endDueStandstills(challenge:)``),
/// as the actor `negotiation` (role `service`). Several replicas, or a call racing it, are
/// harmless: exactly one of them records `standstill.ended`.
public struct StandstillWatcher: Service, CustomStringConvertible {
    public var description: String { "StandstillWatcher" }
    let negotiation: NegotiationService
    let interval: Duration
    let logger: Logger

    public init(negotiation: NegotiationService, interval: Duration, logger: Logger) {
        self.negotiation = negotiation
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await negotiation.endDueStandstills()
                } catch {
                    // The next pass tries again; a database hiccup must not end the service.
                    logger.warning("ending standstill periods failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
