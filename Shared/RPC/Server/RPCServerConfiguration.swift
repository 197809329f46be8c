public import Crypto

/// Limits the runtime enforces on every call, whatever the transport.
public struct RPCServerConfiguration: Sendable {
    /// Largest request body accepted; larger → `resource_exhausted` (default 4 MiB).
    public var maxRequestBodyBytes: Int
    /// Upper bound on a call's deadline, applied also when the caller sends none
    /// (default 60 s), so no handler runs forever.
    public var maxCallDuration: Duration
    /// With mutual TLS: a caller with role `service` must present a certificate naming its
    /// token's `sub` (DESIGN.md §3).
    public var requireServiceIdentityMatch: Bool
    /// When set, the idempotency store keeps HMAC-SHA-256 of each keyed request under this
    /// key instead of its plain SHA-256. A service whose requests carry secrets (the Vault's
    /// `Deposit`) sets a key kept outside its database, so the stored digest cannot confirm
    /// a guess of the content.
    public var requestDigestKey: SymmetricKey?

    public init(maxRequestBodyBytes: Int = 4 << 20, maxCallDuration: Duration = .seconds(60), requireServiceIdentityMatch: Bool = false, requestDigestKey: SymmetricKey? = nil) {
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxCallDuration = maxCallDuration
        self.requireServiceIdentityMatch = requireServiceIdentityMatch
        self.requestDigestKey = requestDigestKey
    }
}

/// The identity a peer proved with a TLS client certificate: subject common name and DNS
/// subject alternative names.
public struct PeerIdentity: Sendable, Hashable {
    public var names: Set<String>
    public init(names: Set<String>) { self.names = names }
}
