import NIOCore
public import NIOSSL

/// Client TLS: HTTP/2 over TLS with ALPN `h2`, the server checked against `trustRootsPath`
/// (or the system roots), and optionally a client certificate for mutual TLS.
public struct ClientTLS: Sendable {
    public var trustRootsPath: String?
    public var certificateChainPath: String?
    public var privateKeyPath: String?
    /// The name the server's certificate must carry; the target host when nil.
    public var serverHostname: String?

    public init(trustRootsPath: String? = nil, certificateChainPath: String? = nil, privateKeyPath: String? = nil, serverHostname: String? = nil) {
        self.trustRootsPath = trustRootsPath
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.serverHostname = serverHostname
    }

    /// The NIOSSL context every connection of a transport shares: TLS 1.2 or later, ALPN
    /// offering only `h2`, the trust roots and client certificate of this configuration.
    /// Throws when a file cannot be read.
    public func makeContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2"]
        tls.minimumTLSVersion = .tlsv12
        if let trustRootsPath { tls.trustRoots = .file(trustRootsPath) }
        if let certificateChainPath, let privateKeyPath {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// The SNI name and name to verify for a connection to `host`: ``serverHostname`` when
    /// set, else `host` — unless `host` is an IP literal, which SNI may not carry (NIOSSL
    /// refuses it); NIOSSL then checks the certificate's IP entry instead.
    public func serverName(for host: String) -> String? {
        serverHostname ?? (Self.isIPAddress(host) ? nil : host)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
