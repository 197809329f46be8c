import Foundation
public import Messages
public import RPC

/// A throwaway local identity provider and data directory for one test.
public struct TestEnvironment: Sendable {
    public let directory: String
    public let issuer: LocalTokenIssuer
    public let issuerKeyFile: String

    public init(name: String = "test") throws {
        directory = NSTemporaryDirectory() + "tender-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        issuer = LocalTokenIssuer(audience: "tenderdialogue")
        issuerKeyFile = directory + "/issuer.key"
        try issuer.seedBase64.write(toFile: issuerKeyFile, atomically: true, encoding: .utf8)
    }

    /// Environment for a service process: its own data directory, trusting this issuer.
    public func serviceEnvironment(name: String, extra: [String: String] = [:]) throws -> [String: String] {
        let data = directory + "/" + name
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var env = ["DATA_DIR": data, "AUTH_LOCAL_ISSUER_KEY_FILE": issuerKeyFile, "LOG_LEVEL": "info"]
        for (key, value) in extra { env[key] = value }
        return env
    }

    public func token(_ role: Role, subject: String = "tester", organisation: OrgNumber? = nil, validFor: Duration = .seconds(600)) async throws -> String {
        try await issuer.token(subject: subject, roles: [role], organisation: organisation, validFor: validFor)
    }

    /// A PostgreSQL URL from `TENDER_TEST_DATABASE_URL`, or nil when tests run without one.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TENDER_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
