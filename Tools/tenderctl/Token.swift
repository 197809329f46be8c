import ArgumentParser
import Messages
import RPC

/// `tenderctl token`: mints a token with the local issuer.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a token from the local issuer (local mode only).")

    @Option(help: "Role: officer, evaluator, negotiator, startup, auditor or service.") var role: String
    @Option(help: "Subject (a person's id, or a service's name).") var sub: String
    @Option(help: "Organisation number (required for role startup).") var org: String?
    @Option(name: .customLong("data-dir"), help: "Directory holding issuer.key.") var dataDirectory = "./data"
    @Option(help: "Lifetime in seconds.") var ttl = 3600
    @Option(help: "Audience.") var audience = "tenderdialogue"

    func run() async throws {
        guard let role = Role(rawValue: role) else {
            throw ValidationError("unknown role '\(role)'; one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var organisation: OrgNumber?
        if let org {
            guard let valid = OrgNumber(org) else { throw ValidationError("'\(org)' is not a valid organisation number") }
            organisation = valid
        }
        if role == .startup && organisation == nil { throw ValidationError("role startup needs --org") }
        let issuer = try localIssuer(dataDirectory: dataDirectory, audience: audience)
        print(try await issuer.token(subject: sub, roles: [role], organisation: organisation, validFor: .seconds(ttl)))
    }
}
