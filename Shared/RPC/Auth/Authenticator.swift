public import Messages

/// Turns a bearer token into a ``Principal`` or refuses it with `unauthenticated`.
public protocol Authenticator: Sendable {
    func authenticate(bearer token: String) async throws(RPCError) -> Principal
}
