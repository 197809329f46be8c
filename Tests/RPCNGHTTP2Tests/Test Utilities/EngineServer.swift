import Foundation
import Logging
import Messages
import RPC
import RPCNGHTTP2
import ServiceKit
import TestServiceKit

/// ``TestService`` (its own SQLite file, local issuer, JWT authenticator, SQL idempotency
/// store) served by ``NGHTTP2Server`` on a port the kernel picked.
struct EngineServer: Sendable {
    let environment: TestEnvironment
    let server: NGHTTP2Server
    let port: Int
    /// One HTTP/2 connection to the server, shared by the test's typed clients.
    let transport: HTTP2ClientTransport

    static let logger = Logger(label: "tender.nghttp2-tests") { _ in SwiftLogNoOpLogHandler() }

    var url: String { "http://127.0.0.1:\(port)" }

    func client(token: String? = nil, timeout: Duration = .seconds(60), on transport: (any ClientTransport)? = nil) -> RPCClient {
        RPCClient(
            transport: transport ?? self.transport, tokenProvider: token.map(StaticTokenProvider.init),
            defaultTimeout: timeout, retryPolicy: RetryPolicy(maxAttempts: 1), logger: Self.logger)
    }

    func token(_ role: Role) async throws -> String {
        try await environment.token(role, organisation: role == .startup ? OrgNumber("923609016") : nil)
    }

    func stats() async throws -> Stats {
        try await client().call(TestAPI.stats, StatsRequest())
    }

    /// A second, separate connection (closed by the caller).
    func newTransport() throws -> HTTP2ClientTransport {
        try HTTP2ClientTransport(host: "127.0.0.1", port: port, connections: 1, logger: Self.logger)
    }
}

/// Runs `body` against a fresh ``EngineServer`` and tears everything down afterwards, also
/// when `body` throws.
func withEngineServer<T>(
    rpc: RPCServerConfiguration = .init(), engine: NGHTTP2ServerConfiguration = .init(),
    _ body: (EngineServer) async throws -> T
) async throws -> T {
    let environment = try TestEnvironment(name: "nghttp2")
    let logger = EngineServer.logger
    let database = try await Database.sqlite(path: environment.directory + "/test.sqlite", logger: logger)
    let result: Result<T, any Error>
    do {
        try await database.migrateServiceKit()
        try await database.migrate(component: "testservice", TestService.migrations)
        let service = TestService(database: database, downstream: nil, outbox: nil)
        let dispatcher = RPCDispatcher(
            router: service.router, authenticator: try await JWTAuthenticator.trusting(environment.issuer),
            idempotency: SQLIdempotencyStore(database: database), configuration: rpc, logger: logger)
        let server = NGHTTP2Server(dispatcher: dispatcher, host: "127.0.0.1", port: 0, configuration: engine, logger: logger)
        let port = try await server.start()
        let transport = try HTTP2ClientTransport(host: "127.0.0.1", port: port, connections: 1, logger: logger)
        do {
            result = .success(try await body(EngineServer(environment: environment, server: server, port: port, transport: transport)))
        } catch {
            result = .failure(error)
        }
        await transport.close()
        await server.shutdown()
    } catch {
        result = .failure(error)
    }
    try? await database.close()
    environment.remove()
    return try result.get()
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
