/// What every connection of one transport shares: where it goes and its limits.
struct ClientTarget: Sendable {
    /// `host:port`, sent as `:authority`.
    let authority: String
    /// `http` (h2c with prior knowledge) or `https` (TLS, ALPN `h2`), sent as `:scheme`.
    let scheme: String
    /// A response body larger than this fails the call with `resource_exhausted`.
    let maxResponseBodyBytes: Int
}
