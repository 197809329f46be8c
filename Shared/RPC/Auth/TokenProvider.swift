/// Supplies the bearer token a client presents: a fixed one, one minted by the local
/// issuer, or a client-credentials token read from a mounted file and refreshed.
public protocol TokenProvider: Sendable {
    func token() async throws -> String
}

/// The same token for every call.
public struct StaticTokenProvider: TokenProvider {
    let value: String
    public init(_ value: String) { self.value = value }
    public func token() async throws -> String { value }
}
