public import Logging
public import ServiceKit

/// Ends standstill periods without an officer: every `interval` it ends each award's period
/// whose end has passed by the legal clock (``NegotiationService/endDueStandstills(challenge:)``),
/// as the actor `negotiation` (role `service`). Several replicas, or a call racing it, are
/// harmless: exactly one of them records `standstill.ended`.
public enum StandstillWatcher {
    public static func make(negotiation: NegotiationService, interval: Duration, logger: Logger) -> PeriodicTask {
        PeriodicTask("StandstillWatcher", every: interval, failureMessage: "ending standstill periods failed", logger: logger) {
            _ = try await negotiation.endDueStandstills()
        }
    }
}
