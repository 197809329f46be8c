public import Crypto
import Foundation
import Hummingbird
import JWTKit
public import Logging
import Messages
import Metrics
public import Prometheus
import SQLKit
public import RPC
import RPCNGHTTP2
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// Everything a service process needs, wired once: JSON logs, Prometheus metrics, the
/// database with ServiceKit's migrations applied, token verification, and at ``run(router:services:)``
/// the RPC and ops listeners in one ServiceGroup with graceful shutdown on SIGTERM.
///
/// A service's `App.swift` reads like this:
///
/// ```swift
/// let runtime = try await ServiceRuntime.start(try await ServiceSettings.load(service: "records", defaultPort: 7100))
/// try await runtime.database.migrate(component: "records", RecordsMigrations.all)
/// try await runtime.run(router: RecordsHandlers(...).router)
/// ```
public struct ServiceRuntime: Sendable {
    public let settings: ServiceSettings
    public let logger: Logger
    public let database: Database
    public let readiness: Readiness
    public let authenticator: JWTAuthenticator
    /// The token this service presents to others (nil when none is configured).
    public let serviceToken: (any TokenProvider)?
    /// Legal time: the system clock, or in local mode a driven one (``DrivenWallClock``).
    public let clock: any WallClock

    /// Bootstraps logging and metrics (once per process), opens the database and applies
    /// ServiceKit's own migrations.
    public static func start(_ settings: ServiceSettings) async throws -> ServiceRuntime {
        ProcessBootstrap.once(logLevel: settings.logLevel)
        var logger = Logger(label: "tender.\(settings.name)")
        logger.logLevel = settings.logLevel
        let jwks = try settings.jwksFiles.map { try String(contentsOfFile: $0, encoding: .utf8) }
        // A PEM key's id is its file name without extension: `idp-2026.pem` verifies kid `idp-2026`.
        let pems = try settings.publicKeyFiles.map { path in
            (keyID: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, pem: try String(contentsOfFile: path, encoding: .utf8))
        }
        var serviceToken: (any TokenProvider)?
        var localJWKS: [String] = []
        if let file = settings.serviceTokenFile {
            serviceToken = FileTokenProvider(path: file)
        } else if let file = settings.localIssuerKeyFile {
            let issuer = try LocalTokenIssuer(seedBase64: try String(contentsOfFile: file, encoding: .utf8), audience: settings.audience)
            serviceToken = LocalIssuerTokenProvider(issuer: issuer, subject: settings.name)
            localJWKS.append(issuer.jwksJSON)
        }
        let keys = try await JWTKeyCollection.verifying(jwks: jwks + localJWKS, pemPublicKeys: pems)
        if jwks.isEmpty && pems.isEmpty && localJWKS.isEmpty {
            logger.warning("no token keys configured: every method that needs a role will refuse with unauthenticated")
        }
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let database = try await Database.open(url: settings.databaseURL, dataDirectory: settings.dataDirectory, name: settings.name, logger: logger)
        do {
            try await database.migrateServiceKit()
        } catch {
            try? await database.close()
            throw error
        }
        let readiness = Readiness()
        readiness.addCheck { (try? await database.sql.raw("SELECT 1").run()) != nil }
        let clock: any WallClock = settings.drivenClockFile.map { DrivenWallClock(file: $0, logger: logger) } ?? SystemWallClock()
        if settings.drivenClockFile != nil { logger.warning("local mode: the clock is driven", metadata: ["file": .string(settings.drivenClockFile!)]) }
        return ServiceRuntime(
            settings: settings, logger: logger, database: database, readiness: readiness,
            authenticator: JWTAuthenticator(keys: keys, audience: settings.audience), serviceToken: serviceToken, clock: clock)
    }

    /// A client for another service at `url` (`http://host:port` for h2c, `https://…` for TLS),
    /// presenting this service's token.
    ///
    /// `url` may list several replicas, comma-separated (`http://10.0.0.5:7100,http://10.0.0.6:7100`,
    /// so every `*.url` key, e.g. `RECORDS_URL`, takes a list): calls are then spread over
    /// them round-robin and move on from one that cannot be reached or answers `unavailable`
    /// (``BalancedClientTransport``). Behind a load balancer, give its one URL.
    ///
    /// The HTTP/2 engine is `rpc.engine`'s, as for the listener: ``NGHTTP2ClientTransport``
    /// by default, ``HTTP2ClientTransport`` (NIOHTTP2) with `hummingbird`.
    public func client(url: String, tls: ClientTLS? = nil) throws -> RPCClient {
        RPCClient(transport: try Self.transport(urls: url, tls: tls, engine: settings.rpcEngine, logger: logger), tokenProvider: serviceToken, logger: logger)
    }

    /// A transport to `urls` (one URL, or a comma-separated list of replicas) on `engine`.
    public static func transport(urls: String, tls: ClientTLS? = nil, engine: RPCEngine, logger: Logger) throws -> any ClientTransport {
        switch engine {
        case .hummingbird:
            return try BalancedClientTransport.transport(urls: urls, tls: tls, logger: logger)
        case .nghttp2:
            return try BalancedClientTransport.transport(urls: urls) { try NGHTTP2ClientTransport(url: $0, tls: tls, logger: logger) }
        }
    }

    /// Serves `router` until SIGTERM or SIGINT, together with `services` (outbox senders,
    /// background work). On the signal: readiness goes false, the listeners stop accepting,
    /// HTTP/2 connections get GOAWAY, in-flight calls have ``ServiceSettings/shutdownGrace``
    /// to finish, then the database closes.
    ///
    /// - Parameter onListening: called with the bound RPC and ops ports (useful with port 0).
    /// - Parameter requestDigestKey: see ``RPCServerConfiguration/requestDigestKey``.
    public func run(router: RPCRouter, services: [any Service] = [], requestDigestKey: SymmetricKey? = nil, onListening: (@Sendable (_ rpcPort: Int, _ opsPort: Int) -> Void)? = nil) async throws {
        do {
            var configuration = settings.rpcServer
            configuration.requestDigestKey = requestDigestKey
            try await serve(router: router, services: services, configuration: configuration, onListening: onListening)
        } catch {
            // A listener that cannot start (port taken, TLS files unreadable) ends the process;
            // close the database first so nothing is left half-written.
            try? await database.close()
            throw error
        }
    }

    private func serve(router: RPCRouter, services: [any Service], configuration rpcConfiguration: RPCServerConfiguration, onListening: (@Sendable (_ rpcPort: Int, _ opsPort: Int) -> Void)?) async throws {
        let dispatcher = RPCDispatcher(
            router: router, authenticator: authenticator,
            // No call outlives the maximum call duration, so a reservation older than that
            // belongs to a process that died mid-call and may be taken over.
            idempotency: SQLIdempotencyStore(database: database, staleAfter: settings.rpcServer.maxCallDuration),
            configuration: rpcConfiguration, logger: logger)
        let connections = ConnectionRegistry()
        let ports = Mutex<(rpc: Int?, ops: Int?)>((nil, nil))
        let announce: @Sendable () -> Void = {
            let bound = ports.withLock { $0 }
            guard let rpc = bound.rpc, let ops = bound.ops else { return }
            logger.info("listening", metadata: [
                "rpc_port": .stringConvertible(rpc), "ops_port": .stringConvertible(ops),
                "tls": .stringConvertible(settings.rpcTLS != nil), "engine": .string(settings.rpcEngine.rawValue)])
            onListening?(rpc, ops)
        }
        let rpcRunning: @Sendable (Int) async -> Void = { port in
            ports.withLock { $0.rpc = port }
            announce()
        }
        let listener: any Service
        switch settings.rpcEngine {
        case .hummingbird:
            listener = try RPCServer.application(
                dispatcher: dispatcher, host: settings.rpcHost, port: settings.rpcPort, tls: settings.rpcTLS,
                limits: settings.connectionLimits, connections: connections, logger: logger, onServerRunning: rpcRunning)
        case .nghttp2:
            // Its own shutdown waits for its connections; `connections` stays empty.
            var engine = NGHTTP2ServerConfiguration(limits: settings.connectionLimits, server: rpcConfiguration)
            engine.maxConnections = settings.rpcMaxConnections
            engine.maxBufferedRequestBytesPerConnection = settings.rpcMaxBufferedRequestBytesPerConnection
            engine.writeStallTimeout = settings.rpcWriteStallTimeout
            listener = NGHTTP2Server(
                dispatcher: dispatcher, host: settings.rpcHost, port: settings.rpcPort, tls: settings.rpcTLS,
                configuration: engine, logger: logger, onServerRunning: rpcRunning)
        }
        let ops = OpsServer.application(
            host: settings.opsHost, port: settings.opsPort, readiness: readiness, registry: ProcessBootstrap.registry, logger: logger
        ) { port in
            ports.withLock { $0.ops = port }
            announce()
        }
        readiness.markReady()
        let readinessOnShutdown = ReadinessOnShutdown(readiness: readiness)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: DatabaseCloser(database: database))]
                + services.map { .init(service: $0) }
                + [.init(service: ops),
                   .init(service: DrainingListener(listener: listener, dispatcher: dispatcher, connections: connections, grace: settings.shutdownGrace, logger: logger)),
                   .init(service: readinessOnShutdown)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownGrace
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Flips readiness to false first thing on shutdown, so load balancers stop sending.
struct ReadinessOnShutdown: Service, CustomStringConvertible {
    var description: String { "ReadinessOnShutdown" }
    let readiness: Readiness
    func run() async throws {
        try? await gracefulShutdown()
        readiness.markNotReady()
    }
}

/// Runs the RPC listener and shuts it down in an order that loses no accepted call:
/// on SIGTERM new calls are refused with `unavailable` (clients retry elsewhere), the calls
/// already running finish (bounded by the grace period), and only then does the listener
/// stop — GOAWAY to every connection — and the connections close.
///
/// The listener runs in a group of its own because Hummingbird ends a connection's streams
/// when its server stops, answered or not.
struct DrainingListener: Service, CustomStringConvertible {
    let listener: any Service
    let dispatcher: RPCDispatcher
    let connections: ConnectionRegistry
    let grace: Duration
    let logger: Logger
    var description: String { "RPCListener" }

    func run() async throws {
        let inner = ServiceGroup(configuration: .init(services: [.init(service: listener)], logger: logger))
        // Detached, so the outer group's graceful shutdown does not reach the listener before
        // the running calls are done.
        let running = Task.detached { try await inner.run() }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await running.value
            } onGracefulShutdown: {
            Task {
                let deadline = ContinuousClock.now.advanced(by: grace)
                dispatcher.beginDraining()
                await dispatcher.waitUntilIdle(deadline: deadline)
                await inner.triggerGracefulShutdown()
            }
            }
        } onCancel: {
            running.cancel()
        }
        await connections.waitUntilAllClosed(deadline: .now.advanced(by: .seconds(1)))
    }
}

/// Closes the database after everything that uses it stopped (first in the group, so last out).
struct DatabaseCloser: Service, CustomStringConvertible {
    var description: String { "DatabaseCloser" }
    let database: Database
    func run() async throws {
        try? await gracefulShutdown()
        try? await database.close()
    }
}

/// Process-wide bootstraps that swift-log and swift-metrics allow only once.
public enum ProcessBootstrap {
    public static let registry = PrometheusCollectorRegistry()
    private static let done = Mutex(false)

    public static func once(logLevel: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: logLevel) }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}

/// The entry point of a service executable: runs `body`, and turns a start-up failure (bad
/// configuration, unreachable database, unreadable key file) into one JSON log line and
/// exit status 1 instead of a crash.
public enum ServiceMain {
    public static func run(_ name: String, _ body: () async throws -> Void) async -> Never {
        do {
            try await body()
            exit(0)
        } catch {
            let message = (error as? SettingsError)?.description ?? String(describing: error)
            let line = (try? CanonicalJSON.encode([
                "level": "critical", "logger": "tender.\(name)", "message": "start-up failed",
                "error": message, "time": Timestamp(Date()).iso8601,
            ])).map { String(decoding: $0, as: UTF8.self) } ?? "start-up failed"
            JSONLogHandler.standardOutput(line)
            exit(1)
        }
    }
}
