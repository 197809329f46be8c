public import Logging
public import ServiceLifecycle

/// A service's own recurring duty, driven by nothing but time: every `interval` it runs
/// `body` once (Intake closing applications at the deadline, Negotiation ending standstill
/// periods). A failed pass is logged and the next one tries again — a database hiccup must
/// not end the service —, and graceful shutdown ends the loop. The body must be safe to run
/// on several replicas at once and to race an officer's call doing the same.
public struct PeriodicTask: Service, CustomStringConvertible {
    public let description: String
    let interval: Duration
    let failureMessage: Logger.Message
    let logger: Logger
    let body: @Sendable () async throws -> Void

    /// - Parameters:
    ///   - name: how ServiceLifecycle names it (e.g. `IntakeCloser`).
    ///   - failureMessage: the warning logged when a pass fails (with the error's type only:
    ///     errors may carry what no log line should).
    public init(_ name: String, every interval: Duration, failureMessage: Logger.Message, logger: Logger, _ body: @escaping @Sendable () async throws -> Void) {
        self.description = name
        self.interval = interval
        self.failureMessage = failureMessage
        self.logger = logger
        self.body = body
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await body()
                } catch {
                    logger.warning(failureMessage, metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
