import Foundation
import JWTKit
import Logging
import Messages
import RPC
import ServiceKit
import TestServiceKit

/// A ``TestService`` with its own SQLite file, local issuer and dispatcher — the server half
/// of the tests, without any listener. ``TestServer`` puts it on a real HTTP/2 port.
struct TestBackend: Sendable {
    let environment: TestEnvironment
    let database: Database
    let dispatcher: RPCDispatcher

    static let logger = Logger(label: "tender.rpc-tests") { _ in SwiftLogNoOpLogHandler() }

    /// Opens the database and wires the dispatcher; call ``close()`` when done.
    /// - Parameter downstream: the client `Relay` calls.
    static func open(configuration: RPCServerConfiguration = .init(), downstream: RPCClient? = nil) async throws -> TestBackend {
        let environment = try TestEnvironment(name: "rpc")
        do {
            let database = try await Database.sqlite(path: environment.directory + "/test.sqlite", logger: logger)
            try await database.migrateServiceKit()
            try await database.migrate(component: "testservice", TestService.migrations)
            let service = TestService(database: database, downstream: downstream, outbox: nil)
            let dispatcher = RPCDispatcher(
                router: service.router, authenticator: try await authenticator(trusting: environment.issuer),
                idempotency: SQLIdempotencyStore(database: database),
                configuration: configuration, logger: logger)
            return TestBackend(environment: environment, database: database, dispatcher: dispatcher)
        } catch {
            environment.remove()
            throw error
        }
    }

    /// A ``JWTAuthenticator`` that trusts exactly `issuer`'s key.
    static func authenticator(trusting issuer: LocalTokenIssuer) async throws -> JWTAuthenticator {
        JWTAuthenticator(keys: try await JWTKeyCollection.verifying(jwks: [issuer.jwksJSON], pemPublicKeys: []), audience: issuer.audience)
    }

    func token(_ role: Role, subject: String = "tester") async throws -> String {
        try await environment.token(role, subject: subject, organisation: role == .startup ? .sample : nil)
    }

    /// A client calling this backend in-process, without sockets.
    func client(token: String? = nil, retryPolicy: RetryPolicy = .default, timeout: Duration = .seconds(10)) -> RPCClient {
        RPCClient(
            transport: InProcessTransport(dispatcher: dispatcher), tokenProvider: token.map(StaticTokenProvider.init),
            defaultTimeout: timeout, retryPolicy: retryPolicy, logger: Self.logger)
    }

    func stats() async throws -> Stats {
        try await client().call(TestAPI.stats, StatsRequest())
    }

    func close() async {
        try? await database.close()
        environment.remove()
    }
}

extension OrgNumber {
    /// A valid organisation number for startup tokens.
    static let sample = OrgNumber("923609016")!
}

/// Runs `body` with a fresh ``TestBackend`` and closes it afterwards, also when `body` throws.
func withTestBackend<T>(
    configuration: RPCServerConfiguration = .init(), downstream: RPCClient? = nil, _ body: (TestBackend) async throws -> T
) async throws -> T {
    let backend = try await TestBackend.open(configuration: configuration, downstream: downstream)
    do {
        let result = try await body(backend)
        await backend.close()
        return result
    } catch {
        await backend.close()
        throw error
    }
}
