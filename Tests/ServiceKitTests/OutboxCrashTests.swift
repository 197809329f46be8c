import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// The outbox between two real processes, with both killed mid-way (DESIGN.md §5: "a crash
/// or a Records outage loses nothing and duplicates nothing").
@Suite("Outbox across crashes")
struct OutboxCrashTests {
    @Test("kill -9 the sender mid-delivery and the target mid-request: every event arrives once, in order")
    func killBoth() async throws {
        let env = try TestEnvironment(name: "outbox-crash")
        defer { env.remove() }
        let targetPort = try freePort()
        // Calls cannot outlive 3 s here, so a delivery cut off by the target's death is
        // retried within seconds of its restart.
        let targetEnv = try env.serviceEnvironment(name: "target", extra: ["RPC_PORT": String(targetPort), "RPC_MAX_CALL_SECONDS": "3"])
        let senderEnv = try env.serviceEnvironment(name: "sender", extra: ["TESTSERVICE_DOWNSTREAM_URL": "http://127.0.0.1:\(targetPort)"])

        var target = try await ServiceProcess.start(environment: targetEnv)
        var sender = try await ServiceProcess.start(environment: senderEnv)
        let officer = try await env.token(.officer)
        let emitted = try await RPCClient(transport: try HTTP2ClientTransport(url: sender.url), tokenProvider: StaticTokenProvider(officer))
            .call(TestAPI.emit, EmitRequest(prefix: "ev", count: 30, delayMilliseconds: 120), options: .init(idempotencyKey: "emit-1"))
        #expect(emitted.eventIDs.count == 30)

        let targetDB = env.directory + "/target/testservice.sqlite"
        try await waitUntil(timeout: .seconds(120)) { try await storedCount(targetDB) >= 5 }
        await sender.kill()
        sender = try await ServiceProcess.start(environment: senderEnv)

        try await waitUntil(timeout: .seconds(120)) { try await storedCount(targetDB) >= 15 }
        await target.kill()
        try await Task.sleep(for: .milliseconds(500))
        target = try await ServiceProcess.start(environment: targetEnv)

        try await waitUntil(timeout: .seconds(180)) { try await storedCount(targetDB) >= 30 }
        // Give a duplicate, if one were coming, the chance to arrive.
        try await Task.sleep(for: .seconds(1))
        #expect(await sender.terminate() == 0)
        #expect(await target.terminate() == 0)

        let stored = try await withSQLite(targetDB) { db in
            try await db.raw("SELECT event_id FROM received ORDER BY idx").all().map { try $0.decode(column: "event_id", as: String.self) }
        }
        #expect(stored == emitted.eventIDs, "each event exactly once, in the order emitted")
        let undelivered = try await withSQLite(env.directory + "/sender/testservice.sqlite") { db in
            try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL").first()!.decode(column: "n", as: Int64.self)
        }
        #expect(undelivered == 0)
    }
}

func storedCount(_ path: String) async throws -> Int {
    guard FileManager.default.fileExists(atPath: path) else { return 0 }
    return try await withSQLite(path) { db in
        Int(try await db.raw("SELECT COUNT(*) AS n FROM received").first()?.decode(column: "n", as: Int64.self) ?? 0)
    }
}

/// Opens another process's SQLite file (WAL mode allows a concurrent reader).
func withSQLite<T: Sendable>(_ path: String, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
    let db = try await Database.sqlite(path: path, logger: Logger(label: "test.reader"))
    do {
        let value = try await body(db.sql)
        try await db.close()
        return value
    } catch {
        try? await db.close()
        throw error
    }
}

func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("condition not met within \(timeout)")
    throw CancellationError()
}

/// A TCP port nothing listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw CancellationError() }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
