import Foundation
import Logging
import SQLKit
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Testing

/// A service process from start to graceful stop.
@Suite("Service lifecycle")
struct LifecycleTests {
    @Test("ops endpoints: healthz, readyz after migrations, metrics per method and code")
    func opsEndpoints() async throws {
        let env = try TestEnvironment(name: "ops")
        defer { env.remove() }
        let service = try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "svc"))
        let client = RPCClient(transport: try HTTP2ClientTransport(url: service.url))
        _ = try await client.call(TestAPI.echo, EchoMessage(id: "1", title: "t", amount: Money(ore: 5), tags: []))
        await #expect(throws: RPCError.self) { try await client.call(TestAPI.put, PutRequest(key: "k", value: "v")) }

        #expect(try await httpGet(service.opsURL + "/healthz").status == 200)
        #expect(try await httpGet(service.opsURL + "/readyz").status == 200)
        let metrics = try await httpGet(service.opsURL + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"rpc_server_requests_total{method="tender.test.v1.TestService/Echo",code="ok"} 1"#))
        #expect(metrics.body.contains(#"rpc_server_requests_total{method="tender.test.v1.TestService/Put",code="unauthenticated"} 1"#))
        #expect(metrics.body.contains("rpc_server_duration_seconds_bucket"))
        #expect(await service.terminate() == 0)
    }

    @Test("SIGTERM: the in-flight call finishes, new connections are refused, exit 0, JSON logs throughout")
    func gracefulShutdown() async throws {
        let env = try TestEnvironment(name: "shutdown")
        defer { env.remove() }
        let service = try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "svc", extra: ["SHUTDOWN_GRACE_SECONDS": "20"]))
        let observer = RPCClient(transport: try HTTP2ClientTransport(url: service.url, connections: 1), retryPolicy: .none)
        let client = RPCClient(transport: try HTTP2ClientTransport(url: service.url, connections: 1), retryPolicy: .none)
        let inFlight = Task { try await client.call(TestAPI.sleep, SleepRequest(milliseconds: 2000), options: .init(timeout: .seconds(30))) }
        try await waitFor { (try? await observer.call(TestAPI.stats, StatsRequest()).sleepsStarted) == 1 }

        let exit = Task { await service.terminate() }
        #expect(try await inFlight.value.slept == 2000, "the call in flight at SIGTERM completed")
        #expect(await exit.value == 0)
        // The listener is gone: a new connection cannot be made.
        let fresh = RPCClient(transport: try HTTP2ClientTransport(url: service.url), retryPolicy: .none)
        let refused = await #expect(throws: RPCError.self) {
            try await fresh.call(TestAPI.echo, EchoMessage(id: "1", title: "t", amount: .zero, tags: []))
        }
        #expect(refused?.code == .unavailable)
        let lines = service.log.filter { !$0.isEmpty }
        #expect(lines.count > 3)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON log line: \(line)")
        }
    }

    @Test("a bad configuration exits 1 with one JSON line naming the problem, not a crash")
    func startupFailure() async throws {
        let env = try TestEnvironment(name: "badconfig")
        defer { env.remove() }
        let failed = await #expect(throws: ServiceProcessError.self) {
            try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "svc", extra: ["RPC_PORT": "not-a-port"]))
        }
        #expect(failed?.description.contains("exited with 1") == true)
        #expect(failed?.description.contains(#""message":"start-up failed""#) == true)
        #expect(failed?.description.contains("rpc.port must be an integer") == true)

        // A port already taken is found only when the listener starts, after the database
        // opened: still one line and exit 1.
        let taken = try freePort()
        let blocker = try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "first", extra: ["RPC_PORT": String(taken)]))
        let second = await #expect(throws: ServiceProcessError.self) {
            try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "second", extra: ["RPC_PORT": String(taken)]))
        }
        #expect(second?.description.contains("exited with 1") == true)
        #expect(second?.description.contains("Address already in use") == true)
        #expect(await blocker.terminate() == 0)
    }

    @Test("keyed calls replay on PostgreSQL too, across a restart")
    func postgresIdempotency() async throws {
        guard let url = TestEnvironment.postgresURL else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("TENDER_TEST_DATABASE_URL is not set in CI") }
            return
        }
        let env = try TestEnvironment(name: "pg")
        defer { env.remove() }
        // A database of its own, as each service has in production.
        let name = "svc_" + String(UUID().uuidString.prefix(8)).lowercased()
        try await psqlAdmin(url, "CREATE DATABASE \(name)")
        let serviceURL = Backend.replacingDatabase(in: url, with: name)
        let serviceEnv = try env.serviceEnvironment(name: "svc", extra: ["DATABASE_URL": serviceURL])
        var service = try await ServiceProcess.start(environment: serviceEnv)
        let officer = try await env.token(.officer, subject: "kari")
        var client = RPCClient(transport: try HTTP2ClientTransport(url: service.url), tokenProvider: StaticTokenProvider(officer))
        let first = try await client.call(TestAPI.put, PutRequest(key: "a", value: "1"), options: .init(idempotencyKey: "k1"))
        #expect(first.executions == 1)
        #expect(await service.terminate() == 0)
        service = try await ServiceProcess.start(environment: serviceEnv)
        client = RPCClient(transport: try HTTP2ClientTransport(url: service.url), tokenProvider: StaticTokenProvider(officer))
        let again = try await client.call(TestAPI.put, PutRequest(key: "a", value: "1"), options: .init(idempotencyKey: "k1"))
        #expect(again == first)
        #expect(try await client.call(TestAPI.get, GetRequest(key: "a")).executions == 1)
        #expect(await service.terminate() == 0)
        try await psqlAdmin(url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    @Test("settings: environment, one JSON file scoped per service, secrets from files, refusals")
    func settings() async throws {
        let env = try TestEnvironment(name: "settings")
        defer { env.remove() }
        let file = env.directory + "/tender.json"
        try #"{"rpc": {"port": 7000, "maxBodyBytes": 1024}, "records": {"rpc": {"port": 7100}}, "log": {"level": "debug"}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let secrets = env.directory + "/secrets"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        try "postgres://u:p@db:5432/records".write(toFile: secrets + "/database-url", atomically: true, encoding: .utf8)

        let records = try await ServiceSettings.load(service: "records", defaultPort: 1, environment: ["CONFIG_FILE": file, "SECRETS_DIR": secrets, "OPS_PORT": "9100"])
        #expect(records.rpcPort == 7100, "the service's own section wins over the top level")
        #expect(records.rpcServer.maxRequestBodyBytes == 1024)
        #expect(records.opsPort == 9100, "environment wins over the file")
        #expect(records.logLevel == .debug)
        #expect(records.databaseURL == "postgres://u:p@db:5432/records")
        let intake = try await ServiceSettings.load(service: "intake", defaultPort: 1, environment: ["CONFIG_FILE": file])
        #expect(intake.rpcPort == 7000)
        #expect(intake.opsPort == 8000)
        let defaults = try await ServiceSettings.load(service: "vault", defaultPort: 7300, environment: [:])
        #expect(defaults.rpcPort == 7300 && defaults.rpcHost == "127.0.0.1" && defaults.dataDirectory == "./data" && defaults.databaseURL == nil)
        #expect(defaults.rpcServer.maxRequestBodyBytes == 4 << 20 && defaults.rpcTLS == nil && defaults.audience == "tenderdialogue")
        #expect(defaults.rpcMaxConnections == 4096 && defaults.rpcMaxBufferedRequestBytesPerConnection == 8 << 20 && defaults.rpcWriteStallTimeout == .seconds(30))
        let engine = try await ServiceSettings.load(service: "x", defaultPort: 1, environment: [
            "RPC_MAX_CONNECTIONS": "2", "RPC_MAX_BUFFERED_REQUEST_BYTES_PER_CONNECTION": "1048576", "RPC_WRITE_STALL_TIMEOUT_SECONDS": "5",
        ])
        #expect(engine.rpcMaxConnections == 2 && engine.rpcMaxBufferedRequestBytesPerConnection == 1 << 20 && engine.rpcWriteStallTimeout == .seconds(5))

        // A plain environment variable wins over the service's own section of the file.
        let overridden = try await ServiceSettings.load(service: "records", defaultPort: 1, environment: ["CONFIG_FILE": file, "RPC_PORT": "7999"])
        #expect(overridden.rpcPort == 7999)

        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: ["RPC_PORT": "abc"]) }
        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: ["RPC_MAX_BODY_BYTES": "0"]) }
        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: ["LOG_LEVEL": "loud"]) }
        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: ["RPC_TLS_CERTIFICATE": "/c.pem"]) }
        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: ["RPC_PORT": "70000"]) }
        for (key, value) in [("RPC_MAX_CONNECTIONS", "0"), ("RPC_MAX_BUFFERED_REQUEST_BYTES_PER_CONNECTION", "1024"), ("RPC_WRITE_STALL_TIMEOUT_SECONDS", "0")] {
            await #expect(throws: SettingsError.self, "\(key)=\(value)") { try await ServiceSettings.load(service: "x", defaultPort: 1, environment: [key: value]) }
        }
    }
}

func waitFor(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(timeout)")
}

/// A plain HTTP/1.1 GET with curl (the ops port is what kubelets and scrapers see).
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let text = try await curl(["-s", "-w", "\n%{http_code}", url])
    let split = text.range(of: "\n", options: .backwards)!
    return (Int(text[split.upperBound...]) ?? 0, String(text[..<split.lowerBound]))
}

/// Runs curl and returns what it printed.
func curl(_ arguments: [String]) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func psqlAdmin(_ url: String, _ statement: String) async throws {
    let admin = try await Database.postgres(url: url, maxConnections: 1, logger: Logger(label: "test.admin"))
    try await admin.sql.raw(SQLQueryString(statement)).run()
    try await admin.close()
}
