import Foundation
import Logging
import Messages
import RPC
import RPCNGHTTP2
import ServiceKit
import ServiceLifecycle
import TestServiceKit

/// A ``TestBackend`` served over real HTTP/2 (h2c with prior knowledge) inside the test
/// process, on a port the kernel picked, by the engine `RPC_ENGINE` names (the services'
/// default when unset): these tests are the conformance suite both engines pass.
struct TestServer: Sendable {
    let backend: TestBackend
    let port: Int
    /// One HTTP/2 connection pool to the server, shared by the test's clients.
    let transport: HTTP2ClientTransport

    var url: String { "http://127.0.0.1:\(port)" }

    /// A client presenting `token` (none when nil).
    func client(token: String? = nil, retryPolicy: RetryPolicy = .default, timeout: Duration = .seconds(10)) -> RPCClient {
        RPCClient(
            transport: transport, tokenProvider: token.map(StaticTokenProvider.init),
            defaultTimeout: timeout, retryPolicy: retryPolicy, logger: TestBackend.logger)
    }

    func token(_ role: Role, subject: String = "tester") async throws -> String {
        try await backend.token(role, subject: subject)
    }

    /// What `Get` says about `key`, asked by an officer: proof that a refused call stored nothing.
    func stored(_ key: String) async throws -> GetResponse {
        try await client(token: try await token(.officer)).call(TestAPI.get, GetRequest(key: key))
    }

    func stats() async throws -> Stats {
        try await client().call(TestAPI.stats, StatsRequest())
    }

    /// Opens every connection of the pool (they connect on first use, round-robin), so a
    /// timing check measures calls rather than connection set-up.
    func warmUp() async throws {
        for _ in 0..<4 { _ = try await stats() }
    }
}

/// Starts a ``TestServer`` in a `ServiceGroup`, runs `body`, then shuts the server down
/// gracefully and removes its files — also when `body` throws.
func withTestServer<T: Sendable>(
    configuration serverConfiguration: RPCServerConfiguration = .init(), _ body: @Sendable (TestServer) async throws -> T
) async throws -> T {
    try await withTestBackend(configuration: serverConfiguration) { backend in
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let running: @Sendable (Int) async -> Void = { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let limits = RPCConnectionLimits(gracefulCloseTimeout: .seconds(2))
        let application: any Service = switch RPCEngine.fromEnvironment {
        case .hummingbird:
            try RPCServer.application(
                dispatcher: backend.dispatcher, host: "127.0.0.1", port: 0, limits: limits, logger: TestBackend.logger, onServerRunning: running)
        case .nghttp2:
            NGHTTP2Server(
                dispatcher: backend.dispatcher, host: "127.0.0.1", port: 0,
                configuration: NGHTTP2ServerConfiguration(limits: limits, server: serverConfiguration),
                logger: TestBackend.logger, onServerRunning: running)
        }
        var configuration = ServiceGroupConfiguration(services: [.init(service: application)], logger: TestBackend.logger)
        // A handler left running (a bug under test) must not hold the test up for long.
        configuration.maximumGracefulShutdownDuration = .seconds(3)
        let group = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw TestServerError("the RPC server stopped before it listened")
            }
            let server = TestServer(backend: backend, port: port, transport: try HTTP2ClientTransport(host: "127.0.0.1", port: port, logger: TestBackend.logger))
            let result: Result<T, any Error>
            do {
                result = .success(try await body(server))
            } catch {
                result = .failure(error)
            }
            await server.transport.close()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
