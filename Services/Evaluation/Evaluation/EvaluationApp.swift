import Logging
import Messages
import RPC
import ServiceKit

/// The `tender-evaluation` process: reads its settings and grant key, migrates, and serves
/// Evaluation with the outbox sender (events to Records) beside it.
public enum EvaluationApp {
    public static let defaultPort = 7400

    public static func run() async throws {
        let settings = try await ServiceSettings.load(service: "evaluation", defaultPort: defaultPort)
        let runtime = try await ServiceRuntime.start(settings)
        let evaluationSettings: EvaluationSettings
        do {
            evaluationSettings = try EvaluationSettings.load(settings, logger: runtime.logger)
            try await runtime.database.migrate(component: EvaluationMigrations.component, EvaluationMigrations.all)
        } catch {
            try? await runtime.database.close()
            throw error
        }
        let records = try runtime.client(url: evaluationSettings.recordsURL)
        let intake = try runtime.client(url: evaluationSettings.intakeURL)
        let sender = OutboxSender(database: runtime.database, clients: [RecordsAPI.service: records], logger: runtime.logger)
        let evaluation = EvaluationService(
            database: runtime.database, clock: runtime.clock, intake: RPCIntakeSource(client: intake),
            grantIssuer: evaluationSettings.grantIssuer,
            policy: .init(grantSeconds: evaluationSettings.grantSeconds, consensusSpreadPoints: evaluationSettings.consensusSpreadPoints),
            logger: runtime.logger, onEventsEnqueued: { sender.wake() })
        runtime.logger.info("evaluation ready", metadata: [
            "grant_issuer": .string(evaluationSettings.grantIssuer.name), "grant_seconds": .stringConvertible(evaluationSettings.grantSeconds),
            "consensus_spread": .stringConvertible(evaluationSettings.consensusSpreadPoints),
        ])
        try await runtime.run(router: EvaluationHandlers(evaluation: evaluation).router, services: [sender])
    }
}
