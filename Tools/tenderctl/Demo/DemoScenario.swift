import Foundation
import Logging
import Messages
import RPC
import ServiceKit

/// What every phase of the demo does the same way: tokens from the local issuer, mutations
/// with an idempotency key (so a retry after a lost connection is safe), reads without one.
protocol DemoScenario: Sendable {
    var issuer: LocalTokenIssuer { get }
}

extension DemoScenario {
    func token(_ role: Role, _ subject: String, org: OrgNumber? = nil) async throws -> String {
        try await issuer.token(subject: subject, roles: [role], organisation: org, validFor: .seconds(3600))
    }

    func mutate<Req, Res>(_ client: RPCClient, _ method: Method<Req, Res>, _ request: Req, token: String) async throws -> Res {
        try await client.call(method, request, options: CallOptions(timeout: .seconds(30), idempotencyKey: UUID().uuidString, token: token))
    }

    func read<Req, Res>(_ client: RPCClient, _ method: Method<Req, Res>, _ request: Req, token: String) async throws -> Res {
        try await client.call(method, request, options: CallOptions(timeout: .seconds(30), token: token))
    }
}

/// A phase that moves the stack's driven clock.
protocol DrivenDemoScenario: DemoScenario {
    var clockFile: String { get }
}

extension DrivenDemoScenario {
    var clock: DrivenWallClock { DrivenWallClock(file: clockFile, logger: .init(label: "tenderctl.demo")) }

    func advance(days: Int64 = 0, hours: Int64 = 0, milliseconds: Int64 = 0) throws {
        _ = try DrivenWallClock.advance(file: clockFile, byMilliseconds: (days * 24 + hours) * 3_600_000 + milliseconds)
    }
}
