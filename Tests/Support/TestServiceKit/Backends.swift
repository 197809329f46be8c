import Foundation
import Logging
public import ServiceKit
import SQLKit

/// The storage backends every storage test runs against.
public enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// A fresh, empty database of this kind; nil when PostgreSQL is not configured outside
    /// CI (in CI a missing URL is an error, so PostgreSQL tests cannot be skipped silently).
    public func makeDatabase() async throws -> TestDatabase? {
        let logger = Logger(label: "test.storage")
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "tender-sk-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let db = try await Database.sqlite(path: dir + "/test.sqlite", logger: logger)
            return TestDatabase(database: db, url: "sqlite://" + dir + "/test.sqlite") { try? FileManager.default.removeItem(atPath: dir) }
        case .postgres:
            guard let adminURL = TestEnvironment.postgresURL else {
                if ProcessInfo.processInfo.environment["CI"] != nil {
                    throw ServiceProcessError("TENDER_TEST_DATABASE_URL is not set in CI: PostgreSQL tests cannot run")
                }
                return nil
            }
            // A database of its own per test, so tests never see each other's rows.
            let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await Database.postgres(url: adminURL, maxConnections: 1, logger: logger)
            try await admin.sql.raw(SQLQueryString("CREATE DATABASE " + name)).run()
            try await admin.close()
            let url = Self.replacingDatabase(in: adminURL, with: name)
            let db = try await Database.postgres(url: url, logger: logger)
            return TestDatabase(database: db, url: url) {
                if let admin = try? await Database.postgres(url: adminURL, maxConnections: 1, logger: logger) {
                    try? await admin.sql.raw(SQLQueryString("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")).run()
                    try? await admin.close()
                }
            }
        }
    }

    /// Runs `body` with a fresh database and removes it afterwards, also when `body` throws.
    /// Does nothing when the backend is not available (PostgreSQL outside CI).
    public func withDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
        guard let test = try await makeDatabase() else { return }
        do {
            try await body(test)
        } catch {
            await test.close()
            throw error
        }
        await test.close()
    }

    public static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}

public struct TestDatabase: Sendable {
    public let database: Database
    public let url: String
    let cleanup: @Sendable () async -> Void

    public func close() async {
        try? await database.close()
        await cleanup()
    }
}
