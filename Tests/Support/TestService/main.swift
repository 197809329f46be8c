import Foundation
import RPC
import ServiceKit
import TestServiceKit

// A test-only service process: ServiceKit end to end, so tests can start, kill and
// restart it. `testservice.downstream.url` (TESTSERVICE_DOWNSTREAM_URL) names the service
// that Relay calls and the outbox delivers to.
await ServiceMain.run("testservice") {
    let settings = try await ServiceSettings.load(service: "testservice", defaultPort: 0)
    let runtime = try await ServiceRuntime.start(settings)
    try await runtime.database.migrate(component: "testservice", TestService.migrations)
    let downstream = try settings.reader.serviceString("downstream.url").map { try runtime.client(url: $0) }
    let sender = downstream.map {
        // A 2 s backoff cap, not the services' 30 s: on a loaded machine a few failed
        // deliveries in a row would otherwise outwait the crash tests' patience.
        OutboxSender(database: runtime.database, clients: [TestAPI.service: $0], pollInterval: .milliseconds(100), maxBackoff: .seconds(2), logger: runtime.logger)
    }
    let service = TestService(database: runtime.database, downstream: downstream, outbox: sender)
    try await runtime.run(router: service.router, services: sender.map { [$0] } ?? [])
}
