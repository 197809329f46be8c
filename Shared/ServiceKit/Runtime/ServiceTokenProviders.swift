import Foundation
import Messages
public import RPC

/// A service's own token read from a file that the platform refreshes (a mounted
/// client-credentials secret); re-read when the file changes.
public actor FileTokenProvider: TokenProvider {
    let path: String
    private var cached: (token: String, modified: Date)?

    public init(path: String) { self.path = path }

    public func token() throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        if let cached, cached.modified == modified { return cached.token }
        let token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        cached = (token, modified)
        return token
    }
}

/// Local mode: a service mints its own `service` token with the local issuer's key and
/// renews it a minute before it expires.
public actor LocalIssuerTokenProvider: TokenProvider {
    let issuer: LocalTokenIssuer
    let subject: String
    private var cached: (token: String, expires: Date)?

    public init(issuer: LocalTokenIssuer, subject: String) {
        self.issuer = issuer
        self.subject = subject
    }

    public func token() async throws -> String {
        if let cached, cached.expires.timeIntervalSinceNow > 60 { return cached.token }
        let token = try await issuer.token(subject: subject, roles: [Role.service], validFor: .seconds(3600))
        cached = (token, Date().addingTimeInterval(3600))
        return token
    }
}
