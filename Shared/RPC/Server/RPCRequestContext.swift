public import Hummingbird
public import NIOCore

/// Hummingbird's per-request context for RPC calls: the core storage plus the channel, so
/// the mutual-TLS peer certificate can be read.
public struct RPCRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The dispatcher enforces the configured body cap itself, with a Connect error.
    public var maxUploadSize: Int { .max }
}
