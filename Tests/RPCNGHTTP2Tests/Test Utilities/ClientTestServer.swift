import Foundation
import Logging
import Messages
import NIOCore
import NIOPosix
import RPC
import RPCNGHTTP2
import ServiceKit
import ServiceLifecycle
import Testing
import TestServiceKit

/// The server engine a client test runs against: the libnghttp2 one or Hummingbird's.
enum ServerEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case nghttp2, hummingbird
    var testDescription: String { rawValue }
}

/// ``TestService`` behind its dispatcher (own SQLite file, local issuer), without a
/// listener: the tests put it on either engine, and on a port again after a restart.
struct ClientTestBackend: Sendable {
    let environment: TestEnvironment
    let dispatcher: RPCDispatcher

    /// Counters of the handlers, read in-process: no connection of its own to count.
    func stats() async throws -> Stats {
        try await RPCClient(transport: InProcessTransport(dispatcher: dispatcher), logger: EngineServer.logger)
            .call(TestAPI.stats, StatsRequest())
    }

    /// An ``NGHTTP2Server`` on `port` (0: a free one), started; shut it down when done.
    func startNGHTTP2(port: Int = 0, tls: RPCServerTLS? = nil, configuration: NGHTTP2ServerConfiguration = .init()) async throws -> (NGHTTP2Server, Int) {
        let server = NGHTTP2Server(
            dispatcher: dispatcher, host: "127.0.0.1", port: port, tls: tls, configuration: configuration, logger: EngineServer.logger)
        return (server, try await server.start())
    }

    /// Serves this backend with `RPCServer.application` (Hummingbird) in a `ServiceGroup`
    /// while `body` runs, then shuts it down gracefully. With `drain`, first as a service
    /// does (`ServiceRuntime`): new calls refused, the running ones waited for (at most 10 s)
    /// — Hummingbird's own graceful shutdown does not wait for them. A drained dispatcher
    /// refuses calls for good.
    func withHummingbird<T>(port: Int = 0, tls: RPCServerTLS? = nil, drain: Bool = false, _ body: (Int) async throws -> T) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = try RPCServer.application(
            dispatcher: dispatcher, host: "127.0.0.1", port: port, tls: tls,
            limits: RPCConnectionLimits(gracefulCloseTimeout: .seconds(2)), logger: EngineServer.logger
        ) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        var configuration = ServiceGroupConfiguration(services: [.init(service: application)], logger: EngineServer.logger)
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
                throw ClientTestError("the Hummingbird server stopped before it listened")
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(port))
            } catch {
                result = .failure(error)
            }
            if drain {
                dispatcher.beginDraining()
                await dispatcher.waitUntilIdle(deadline: .now.advanced(by: .seconds(10)))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}

/// Runs `body` with a fresh ``ClientTestBackend`` and removes its files afterwards.
func withClientTestBackend<T>(_ body: (ClientTestBackend) async throws -> T) async throws -> T {
    let environment = try TestEnvironment(name: "nghttp2-client")
    let logger = EngineServer.logger
    let database = try await Database.sqlite(path: environment.directory + "/test.sqlite", logger: logger)
    let result: Result<T, any Error>
    do {
        try await database.migrateServiceKit()
        try await database.migrate(component: "testservice", TestService.migrations)
        let service = TestService(database: database, downstream: nil, outbox: nil)
        let dispatcher = RPCDispatcher(
            router: service.router, authenticator: try await JWTAuthenticator.trusting(environment.issuer),
            idempotency: SQLIdempotencyStore(database: database), logger: logger)
        result = .success(try await body(ClientTestBackend(environment: environment, dispatcher: dispatcher)))
    } catch {
        result = .failure(error)
    }
    try? await database.close()
    environment.remove()
    return try result.get()
}

/// A server of either engine on a free port, for the tests of ``NGHTTP2ClientTransport``.
struct ClientTestServer: Sendable {
    let engine: ServerEngine
    let backend: ClientTestBackend
    let port: Int
    /// The libnghttp2 server, whose open connections a test can count; nil for Hummingbird.
    let nghttp2: NGHTTP2Server?

    var url: String { "http://127.0.0.1:\(port)" }

    /// The client under test (closed by the caller).
    func transport(connections: Int = 1, maxResponseBodyBytes: Int = 16 << 20) throws -> NGHTTP2ClientTransport {
        try NGHTTP2ClientTransport(
            host: "127.0.0.1", port: port, connections: connections, maxResponseBodyBytes: maxResponseBodyBytes, logger: EngineServer.logger)
    }

    func token(_ role: Role) async throws -> String {
        try await backend.environment.token(role)
    }

    func stats() async throws -> Stats { try await backend.stats() }
}

/// Runs `body` against a fresh server of `engine` and shuts it down afterwards.
func withClientTestServer<T>(
    _ engine: ServerEngine, nghttp2 configuration: NGHTTP2ServerConfiguration = .init(), _ body: (ClientTestServer) async throws -> T
) async throws -> T {
    try await withClientTestBackend { backend in
        switch engine {
        case .nghttp2:
            let (server, port) = try await backend.startNGHTTP2(configuration: configuration)
            let result = await Result(catching: { try await body(ClientTestServer(engine: engine, backend: backend, port: port, nghttp2: server)) })
            await server.shutdown()
            return try result.get()
        case .hummingbird:
            return try await backend.withHummingbird { port in
                try await body(ClientTestServer(engine: engine, backend: backend, port: port, nghttp2: nil))
            }
        }
    }
}

/// An RPC client on `transport`, without retries unless asked for.
func rpcClient(_ transport: any ClientTransport, token: String? = nil, timeout: Duration = .seconds(60), retryPolicy: RetryPolicy = .none) -> RPCClient {
    RPCClient(
        transport: transport, tokenProvider: token.map(StaticTokenProvider.init),
        defaultTimeout: timeout, retryPolicy: retryPolicy, logger: EngineServer.logger)
}

/// Runs `body` with `transport` and closes it afterwards, also when `body` throws.
func using<T, Transport: ReplicaTransport>(_ transport: Transport, _ body: (Transport) async throws -> T) async throws -> T {
    let result = await Result(catching: { try await body(transport) })
    await transport.close()
    return try result.get()
}

/// A local TCP port nothing listens on: bound by the kernel's choice, then closed again.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    guard let port = channel.localAddress?.port else { throw ClientTestError("no local port") }
    try await channel.close()
    return port
}

struct ClientTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Result where Failure == any Error {
    /// The outcome of `body`, so that clean-up can run before it is rethrown.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
