import Configuration
import SystemPackage
import Foundation
public import Logging
public import RPC

/// A service's configuration, read once at start-up with swift-configuration.
///
/// Sources, first wins: environment variables (`RPC_PORT`), the JSON file named by
/// `CONFIG_FILE` (one file for the whole system: keys under the service's name, e.g.
/// `{"records": {"rpc": {"port": 7100}}}`, override the same keys at the top level), and
/// secrets as files in `SECRETS_DIR`, one per key, named with `-` between the key's parts
/// (`database-url` holds the value of `database.url`).
/// Every key, its variable and its default are listed in docs/OPERATIONS.md.
public struct ServiceSettings: Sendable {
    /// The service's short name (`records`), used for its database file and log label.
    public var name: String
    /// `rpc.host` (RPC_HOST), default `127.0.0.1`: the RPC listener's address.
    public var rpcHost: String
    /// `rpc.port` (RPC_PORT), default per service: the RPC listener's port (0: any free port).
    public var rpcPort: Int
    /// `rpc.engine` (RPC_ENGINE): the HTTP/2 engine of the RPC listener, `nghttp2`
    /// (libnghttp2, the default) or `hummingbird` (Hummingbird 2 on SwiftNIO's NIOHTTP2).
    /// Both serve the same calls through the same dispatcher; see docs/OPERATIONS.md.
    public var rpcEngine: RPCEngine
    /// `rpc.tls.certificate`, `rpc.tls.key`, `rpc.tls.clientCA` (RPC_TLS_*): HTTP/2 over TLS
    /// when certificate and key are set, mutual TLS when a client CA is set too. Default: h2c.
    public var rpcTLS: RPCServerTLS?
    /// `rpc.maxBodyBytes` (RPC_MAX_BODY_BYTES, default 4194304) and `rpc.maxCallSeconds`
    /// (RPC_MAX_CALL_SECONDS, default 60).
    public var rpcServer: RPCServerConfiguration
    /// `rpc.idleTimeoutSeconds` (default 300), `rpc.maxConnectionAgeSeconds` (default none),
    /// `rpc.gracefulCloseSeconds` (default 10).
    public var connectionLimits: RPCConnectionLimits
    /// `rpc.maxConnections` (RPC_MAX_CONNECTIONS, default 4096): client connections the RPC
    /// listener holds at once; one more is closed at accept. The nghttp2 engine's limit.
    public var rpcMaxConnections: Int
    /// `rpc.maxBufferedRequestBytesPerConnection` (RPC_MAX_BUFFERED_REQUEST_BYTES_PER_CONNECTION,
    /// default 8388608): request body bytes one connection may hold before its streams' flow
    /// control windows stop reopening. The nghttp2 engine's limit.
    public var rpcMaxBufferedRequestBytesPerConnection: Int
    /// `rpc.writeStallTimeoutSeconds` (RPC_WRITE_STALL_TIMEOUT_SECONDS, default 30): a
    /// connection whose client has not read its output for this long is closed. The nghttp2
    /// engine's limit.
    public var rpcWriteStallTimeout: Duration
    /// `ops.host` (OPS_HOST, default `127.0.0.1`) and `ops.port` (OPS_PORT, default RPC port
    /// + 1000; 0: any free port): `/healthz`, `/readyz`, `/metrics` over HTTP/1.1.
    public var opsHost: String
    public var opsPort: Int
    /// `data.dir` (DATA_DIR), default `./data`: where the SQLite file lives.
    public var dataDirectory: String
    /// `database.url` (DATABASE_URL): `postgres://…` for PostgreSQL; default SQLite in `data.dir`.
    public var databaseURL: String?
    /// `auth.audience` (AUTH_AUDIENCE), default `tenderdialogue`: the `aud` tokens must carry.
    public var audience: String
    /// `auth.jwksFile` (AUTH_JWKS_FILE): JWKS document(s) of the identity provider, comma-separated paths.
    public var jwksFiles: [String]
    /// `auth.publicKeyFiles` (AUTH_PUBLIC_KEY_FILES): PEM public keys (ES256 or EdDSA), comma-separated
    /// paths; each verifies tokens whose `kid` is its file name without extension.
    public var publicKeyFiles: [String]
    /// `auth.serviceTokenFile` (AUTH_SERVICE_TOKEN_FILE): this service's own token for calls
    /// to other services, re-read when it changes (a mounted, refreshed secret).
    public var serviceTokenFile: String?
    /// `auth.localIssuerKeyFile` (AUTH_LOCAL_ISSUER_KEY_FILE): local mode only — the local
    /// issuer's key, with which the service mints its own service token.
    public var localIssuerKeyFile: String?
    /// `log.level` (LOG_LEVEL), default `info`.
    public var logLevel: Logger.Level
    /// `shutdown.graceSeconds` (SHUTDOWN_GRACE_SECONDS), default 10: how long in-flight calls
    /// may finish after SIGTERM before they are cancelled.
    public var shutdownGrace: Duration
    /// `environment` (ENVIRONMENT): `local` (default) or `production`. Production refuses a
    /// driven clock.
    public var environment: String
    /// `clock.file` (CLOCK_FILE): when set, time is driven — the system clock plus the
    /// offset in this file, shared by every local service (`tenderctl clock advance`).
    /// Default: the system clock.
    public var drivenClockFile: String?
    /// The whole configuration, scoped to the service first, for the service's own keys.
    public let reader: ScopedSettingsReader

    /// Reads the settings of service `name`.
    /// - Parameter environment: variables to use instead of the process environment (tests).
    public static func load(service name: String, defaultPort: Int, environment: [String: String]? = nil) async throws -> ServiceSettings {
        let env = environment ?? ProcessInfo.processInfo.environment
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: env)]
        if let file = env["CONFIG_FILE"], !file.isEmpty {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: .init(file)))
        }
        if let directory = env["SECRETS_DIR"], !directory.isEmpty {
            providers.append(try await DirectoryFilesProvider(directoryPath: .init(directory)))
        }
        let reader = ScopedSettingsReader(providers: providers, scope: name)
        return try ServiceSettings(name: name, defaultPort: defaultPort, reader: reader)
    }

    init(name: String, defaultPort: Int, reader: ScopedSettingsReader) throws {
        self.name = name
        self.reader = reader
        rpcHost = reader.string("rpc.host") ?? "127.0.0.1"
        rpcPort = try reader.int("rpc.port") ?? defaultPort
        let engine = reader.string("rpc.engine") ?? RPCEngine.default.rawValue
        guard let rpcEngine = RPCEngine(rawValue: engine) else {
            throw SettingsError("rpc.engine must be one of \(RPCEngine.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.rpcEngine = rpcEngine
        if let certificate = reader.string("rpc.tls.certificate"), let key = reader.string("rpc.tls.key") {
            rpcTLS = RPCServerTLS(certificateChainPath: certificate, privateKeyPath: key, clientCAPath: reader.string("rpc.tls.clientCA"))
        } else if reader.string("rpc.tls.certificate") != nil || reader.string("rpc.tls.key") != nil {
            throw SettingsError("rpc.tls.certificate and rpc.tls.key must be set together")
        }
        rpcServer = RPCServerConfiguration(
            maxRequestBodyBytes: try reader.int("rpc.maxBodyBytes") ?? 4 << 20,
            maxCallDuration: .seconds(try reader.int("rpc.maxCallSeconds") ?? 60),
            requireServiceIdentityMatch: rpcTLS?.clientCAPath != nil)
        connectionLimits = RPCConnectionLimits(
            idleTimeout: .seconds(try reader.int("rpc.idleTimeoutSeconds") ?? 300),
            maxAge: try reader.int("rpc.maxConnectionAgeSeconds").map { .seconds($0) },
            gracefulCloseTimeout: .seconds(try reader.int("rpc.gracefulCloseSeconds") ?? 10))
        rpcMaxConnections = try reader.int("rpc.maxConnections") ?? 4096
        rpcMaxBufferedRequestBytesPerConnection = try reader.int("rpc.maxBufferedRequestBytesPerConnection") ?? 8 << 20
        let writeStallSeconds = try reader.int("rpc.writeStallTimeoutSeconds") ?? 30
        rpcWriteStallTimeout = .seconds(writeStallSeconds)
        opsHost = reader.string("ops.host") ?? "127.0.0.1"
        opsPort = try reader.int("ops.port") ?? (rpcPort == 0 ? 0 : rpcPort + 1000)
        dataDirectory = reader.string("data.dir") ?? "./data"
        databaseURL = reader.string("database.url")
        audience = reader.string("auth.audience") ?? "tenderdialogue"
        jwksFiles = reader.list("auth.jwksFile")
        publicKeyFiles = reader.list("auth.publicKeyFiles")
        serviceTokenFile = reader.string("auth.serviceTokenFile")
        localIssuerKeyFile = reader.string("auth.localIssuerKeyFile")
        guard let level = Logger.Level(rawValue: reader.string("log.level") ?? "info") else {
            throw SettingsError("log.level must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
        shutdownGrace = .seconds(try reader.int("shutdown.graceSeconds") ?? 10)
        environment = reader.string("environment") ?? "local"
        guard ["local", "production"].contains(environment) else { throw SettingsError("environment must be local or production") }
        drivenClockFile = reader.string("clock.file")
        if environment == "production" && drivenClockFile != nil {
            throw SettingsError("a production configuration cannot drive the clock: unset clock.file")
        }
        for (key, value) in [("rpc.port", rpcPort), ("ops.port", opsPort)] where !(0...65535).contains(value) {
            throw SettingsError("\(key) must be 0…65535")
        }
        guard rpcServer.maxRequestBodyBytes > 0 else { throw SettingsError("rpc.maxBodyBytes must be positive") }
        guard rpcMaxConnections > 0 else { throw SettingsError("rpc.maxConnections must be positive") }
        guard rpcMaxBufferedRequestBytesPerConnection >= 64 << 10 else {
            throw SettingsError("rpc.maxBufferedRequestBytesPerConnection must be at least 65536")
        }
        guard writeStallSeconds > 0 else { throw SettingsError("rpc.writeStallTimeoutSeconds must be positive") }
    }
}

/// The HTTP/2 engine under the RPC listener.
public enum RPCEngine: String, Sendable, CaseIterable {
    /// libnghttp2: one nghttp2 session per connection, no channel or task per stream.
    case nghttp2
    /// Hummingbird 2 over NIOHTTP2: a child channel per stream.
    case hummingbird

    public static let `default` = RPCEngine.nghttp2

    /// `RPC_ENGINE` of this process's environment, else the default: for tools (tenderctl)
    /// that call the services without reading a service's settings.
    public static var fromEnvironment: RPCEngine {
        ProcessInfo.processInfo.environment["RPC_ENGINE"].flatMap(RPCEngine.init(rawValue:)) ?? .default
    }
}

/// A configuration error at start-up: the process exits with the message.
public struct SettingsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Looks a key up source by source — environment, then the JSON file, then the secrets
/// directory — and within each source `<service>.<key>` before `<key>`, so one JSON file can
/// configure every service and an environment variable always wins over the file.
public struct ScopedSettingsReader: Sendable {
    let readers: [ConfigReader]
    let scope: String

    init(providers: [any ConfigProvider], scope: String) {
        self.readers = providers.map { ConfigReader(provider: $0) }
        self.scope = scope
    }

    public func string(_ key: String) -> String? {
        for reader in readers {
            if let value = reader.string(forKey: ConfigKey(scope + "." + key)) ?? reader.string(forKey: ConfigKey(key)), !value.isEmpty {
                return value
            }
        }
        return nil
    }

    /// An integer; a value that is set but is not an integer is an error, not a default.
    public func int(_ key: String) throws -> Int? {
        for reader in readers {
            for candidate in [scope + "." + key, key] {
                if let value = reader.int(forKey: ConfigKey(candidate)) { return value }
                if let text = reader.string(forKey: ConfigKey(candidate)), !text.isEmpty {
                    guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                        throw SettingsError("\(key) must be an integer, not '\(text.prefix(40))'")
                    }
                    return value
                }
            }
        }
        return nil
    }

    /// A boolean (`true`/`false`, `yes`/`no`, `1`/`0`); anything else set is an error.
    public func bool(_ key: String) throws -> Bool? {
        for reader in readers {
            for candidate in [scope + "." + key, key] {
                if let value = reader.bool(forKey: ConfigKey(candidate)) { return value }
                if let text = reader.string(forKey: ConfigKey(candidate)), !text.isEmpty {
                    throw SettingsError("\(key) must be true or false, not '\(text.prefix(40))'")
                }
            }
        }
        return nil
    }

    /// A key of this service only: `<service>.<key>` (env `<SERVICE>_<KEY>`), never the
    /// unscoped `<key>`, so a generic variable (`ORIGIN`) cannot configure it by accident.
    public func serviceString(_ key: String) -> String? {
        for reader in readers {
            if let value = reader.string(forKey: ConfigKey(scope + "." + key)), !value.isEmpty { return value }
        }
        return nil
    }

    /// A comma-separated list.
    public func list(_ key: String) -> [String] {
        (string(key) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
