import Logging
import Messages
import RPC
import ServiceKit

/// The `tender-intake` process: reads its settings, migrates, and serves Intake with the
/// outbox sender (events to Records) and the automatic closer beside it.
public enum IntakeApp {
    public static let defaultPort = 7200

    public static func run() async throws {
        let settings = try await ServiceSettings.load(service: "intake", defaultPort: defaultPort)
        let intakeSettings = try IntakeSettings(reader: settings.reader)
        let runtime = try await ServiceRuntime.start(settings)
        try await runtime.database.migrate(component: IntakeMigrations.component, IntakeMigrations.all)
        let records = try runtime.client(url: intakeSettings.recordsURL)
        let sender = OutboxSender(database: runtime.database, clients: [RecordsAPI.service: records], logger: runtime.logger)
        let intake = IntakeService(
            database: runtime.database, clock: runtime.clock, receiptKey: intakeSettings.receiptKey,
            logger: runtime.logger, onEventsEnqueued: { sender.wake() })
        runtime.logger.info("vault receipt key", metadata: ["key_id": .string(intakeSettings.receiptKey.keyID)])
        let closer = IntakeCloser.make(intake: intake, interval: intakeSettings.autoCloseInterval, logger: runtime.logger)
        try await runtime.run(router: IntakeHandlers(intake: intake).router, services: [sender, closer])
    }
}
