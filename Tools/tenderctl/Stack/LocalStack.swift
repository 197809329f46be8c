import Foundation
import Messages
import Synchronization

/// Runs every service of a local stack as a separate process on loopback (h2c), sharing
/// the local token issuer and the driven clock. A service that dies while the stack runs is
/// restarted on the same ports (after a crash the outbox of every other service delivers
/// what it held back).
///
/// By default each service runs once, with SQLite in its own directory under the stack's.
/// In PostgreSQL mode (``StackDatabases``) each runs `replicas` times sharing its database
/// and its directory (keys), Records at least twice: the writer and a standby. A replica is
/// an ``Instance`` (`intake-1`, `intake-2`) with ports, log and restarts of its own; callers
/// get every replica's URL, comma-separated, and spread their calls
/// (``BalancedClientTransport``).
final class LocalStack: Sendable {
    struct Running: Sendable {
        var process: Process
        var startedAt: ContinuousClock.Instant
        var restarts: Int
    }

    /// One process of the stack: a replica of a service.
    struct Instance: Sendable {
        let spec: ServiceSpec
        /// `intake` when the service runs once, `intake-1`, `intake-2`, … when it has replicas.
        let name: String
    }

    let layout: StackLayout
    let binDirectory: URL
    let specs: [ServiceSpec]
    /// Every process, in start order (a service's replicas one after the other).
    let instances: [Instance]
    /// PostgreSQL mode: where each service's database is; nil for SQLite.
    let databases: StackDatabases?
    /// RPC and ops port per instance.
    let ports: [String: (rpc: Int, ops: Int)]
    let report: @Sendable (String) -> Void
    private let state = Mutex<(running: [String: Running], stopping: Bool)>(([:], false))

    /// - Parameter anyPorts: free ports chosen now instead of each service's default port
    ///   (always, when a service has replicas).
    /// - Parameter databases: PostgreSQL mode; `replicas` needs it.
    /// - Parameter replicas: processes per service (Records: at least 2 on PostgreSQL).
    init(
        layout: StackLayout, binDirectory: URL, specs: [ServiceSpec] = ServiceSpec.all, anyPorts: Bool,
        databases: StackDatabases? = nil, replicas: Int = 1, report: @escaping @Sendable (String) -> Void
    ) throws {
        guard replicas >= 1, replicas <= 9 else { throw StackError("--replicas must be 1…9") }
        guard replicas == 1 || databases != nil else { throw StackError("replicas share a PostgreSQL database: give --database-url too") }
        self.layout = layout
        self.binDirectory = binDirectory
        self.specs = specs
        self.databases = databases
        self.report = report
        var instances: [Instance] = []
        for spec in specs {
            let count = databases != nil && spec.name == "records" ? max(2, replicas) : replicas
            instances += (1...count).map { Instance(spec: spec, name: count == 1 ? spec.name : "\(spec.name)-\($0)") }
        }
        self.instances = instances
        var ports: [String: (rpc: Int, ops: Int)] = [:]
        for instance in instances {
            let fixed = !anyPorts && instance.name == instance.spec.name
            ports[instance.name] = fixed ? (instance.spec.defaultPort, instance.spec.defaultPort + 1000) : (try freePort(), try freePort())
        }
        self.ports = ports
        for spec in specs where !FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent(spec.executable).path) {
            throw StackError("\(spec.executable) is not built in \(binDirectory.path); run `swift build` first")
        }
    }

    func instances(of service: String) -> [Instance] { instances.filter { $0.spec.name == service } }
    func instanceURL(_ instance: String) -> String { "http://127.0.0.1:\(ports[instance]!.rpc)" }
    func opsURL(_ instance: String) -> String { "http://127.0.0.1:\(ports[instance]!.ops)" }
    /// The service's URL, or with replicas every replica's URL, comma-separated (what the
    /// services' `*_URL` keys and ``BalancedClientTransport/transport(urls:tls:connections:logger:)`` take).
    func url(_ service: String) -> String { instances(of: service).map { instanceURL($0.name) }.joined(separator: ",") }
    var endpoints: [String: String] { Dictionary(uniqueKeysWithValues: specs.map { ($0.name, url($0.name)) }) }

    /// Starts every process in order, each once it listens, and writes endpoints.json.
    /// - Parameter freshDatabases: PostgreSQL mode: drop the services' databases first.
    func start(freshDatabases: Bool = false) async throws {
        _ = try layout.prepare()
        if !FileManager.default.fileExists(atPath: layout.clockFile) {
            try Data(#"{"offsetMilliseconds":0}"#.utf8).write(to: URL(fileURLWithPath: layout.clockFile))
        }
        for instance in instances {
            for port in [ports[instance.name]!.rpc, ports[instance.name]!.ops] where !isFree(port) {
                throw StackError("port \(port) for \(instance.name) is in use (another stack running? try --any-ports)")
            }
        }
        if let databases {
            try await databases.prepare(services: specs.map(\.name), fresh: freshDatabases)
            // Every Records replica must sign with the same key, made here before any starts.
            try layout.makeRecordsSigningKey()
        }
        do {
            for instance in instances { try await launch(instance, restarts: 0) }
        } catch {
            await stop()
            throw error
        }
        try JSONCoding.encoder().encode(endpoints).write(to: URL(fileURLWithPath: layout.endpoints), options: .atomic)
        writeStackFile()
    }

    func environment(for instance: Instance) -> [String: String] {
        let spec = instance.spec
        let inherited = ProcessInfo.processInfo.environment
        // A minimal environment: nothing from the caller's shell (a stray DATABASE_URL) may
        // reconfigure a local service.
        var env = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": inherited["HOME"] ?? "/tmp"]
        if let backtrace = inherited["SWIFT_BACKTRACE"] { env["SWIFT_BACKTRACE"] = backtrace }
        // The HTTP/2 engine is chosen for the whole stack (the tests run it on both).
        if let engine = inherited["RPC_ENGINE"] { env["RPC_ENGINE"] = engine }
        env["ENVIRONMENT"] = "local"
        env["DATA_DIR"] = layout.data(spec.name)
        env["RPC_PORT"] = String(ports[instance.name]!.rpc)
        env["OPS_PORT"] = String(ports[instance.name]!.ops)
        env["AUTH_LOCAL_ISSUER_KEY_FILE"] = layout.issuerKey
        env["CLOCK_FILE"] = layout.clockFile
        env["LOG_LEVEL"] = inherited["TENDER_LOG_LEVEL"] ?? "info"
        if let databases { env["DATABASE_URL"] = databases.url(spec.name) }
        if spec.name != "records" { env["RECORDS_URL"] = url("records") }
        switch spec.name {
        case "records" where databases != nil:
            env["RECORDS_SIGNING_KEY_FILE"] = layout.recordsSigningKey
        case "vault":
            env["VAULT_GRANT_ISSUER_KEYS"] = StackLayout.grantIssuers.map(layout.grantPublicKey).joined(separator: ",")
        case "intake":
            env["INTAKE_VAULT_RECEIPT_KEY_FILE"] = layout.vaultReceiptPublicKey
        case "evaluation":
            env["INTAKE_URL"] = url("intake")
            env["EVALUATION_GRANT_KEY_FILE"] = layout.grantKey("evaluation")
        case "negotiation":
            env["EVALUATION_URL"] = url("evaluation")
            env["NEGOTIATION_GRANT_KEY_FILE"] = layout.grantKey("negotiation")
            env["NEGOTIATION_VAULT_RECEIPT_KEY_FILE"] = layout.vaultReceiptPublicKey
        default:
            break
        }
        return env
    }

    private func launch(_ instance: Instance, restarts: Int) async throws {
        let spec = instance.spec
        try FileManager.default.createDirectory(atPath: layout.data(spec.name), withIntermediateDirectories: true)
        let logPath = layout.log(instance.name)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw StackError("cannot write \(logPath)") }
        let offset = log.seekToEndOfFile()
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(spec.executable)
        process.environment = environment(for: instance)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] ended in
            try? log.close()
            self?.exited(instance, status: ended.terminationStatus, process: ended)
        }
        try process.run()
        state.withLock { $0.running[instance.name] = Running(process: process, startedAt: .now, restarts: restarts) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if Self.listening(in: logPath, after: offset) { return }
            if !process.isRunning {
                throw StackError("\(spec.executable) (\(instance.name)) exited with status \(process.terminationStatus) while starting; its log: \(logPath)\n" + Self.tail(logPath, after: offset))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw StackError("\(spec.executable) (\(instance.name)) did not listen within 60 s; its log: \(logPath)")
    }

    private func exited(_ instance: Instance, status: Int32, process: Process) {
        let restart: Int? = state.withLock { state in
            guard !state.stopping, let running = state.running[instance.name], running.process === process else { return nil }
            return running.restarts + 1
        }
        guard let restarts = restart else { return }
        report("\(instance.name) exited (status \(status)); restarting it (restart \(restarts))")
        Task {
            // Not at once, and more slowly for a service that keeps dying (as a container
            // platform backs off): a replica's standby — Records' — gets to take over first.
            try? await Task.sleep(for: .milliseconds(min(1500 * restarts, 10_000)))
            guard !self.state.withLock({ $0.stopping }) else { return }
            do {
                try await self.launch(instance, restarts: restarts)
                self.writeStackFile()
                self.report("\(instance.name) is back at \(self.instanceURL(instance.name))")
            } catch {
                self.report("\(instance.name) could not be restarted: \(error)")
            }
        }
    }

    /// SIGTERM to every process, last started first; each has 15 s to drain, then SIGKILL.
    func stop() async {
        let running = state.withLock { state in
            state.stopping = true
            return state.running
        }
        for instance in instances.reversed() {
            guard let process = running[instance.name]?.process, process.isRunning else { continue }
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now.advanced(by: .seconds(15))
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            }
        }
        try? FileManager.default.removeItem(atPath: layout.endpoints)
        try? FileManager.default.removeItem(atPath: layout.stackFile)
    }

    /// The process id of every instance.
    var processIDs: [String: Int32] {
        state.withLock { state in state.running.mapValues { $0.process.processIdentifier } }
    }

    /// stack.json: per instance (the service's name when it runs once) its URL, ops URL,
    /// process id, log and service.
    private func writeStackFile() {
        struct Entry: Encodable { var service: String; var url: String; var ops: String; var pid: Int32; var log: String }
        let pids = processIDs
        let entries = Dictionary(uniqueKeysWithValues: instances.map { instance in
            (instance.name, Entry(
                service: instance.spec.name, url: instanceURL(instance.name), ops: opsURL(instance.name),
                pid: pids[instance.name] ?? 0, log: layout.log(instance.name)))
        })
        try? JSONCoding.encoder().encode(entries).write(to: URL(fileURLWithPath: layout.stackFile), options: .atomic)
    }

    static func listening(in path: String, after offset: UInt64) -> Bool {
        tail(path, after: offset).split(separator: "\n").contains { $0.contains(#""message":"listening""#) }
    }

    static func tail(_ path: String, after offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        handle.seek(toFileOffset: offset)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// A port the kernel considers free right now (bound to port 0, read, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StackError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw StackError("bind() failed") }
    let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    guard named == 0 else { throw StackError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether nothing listens on `port` on loopback.
func isFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

/// Where the service executables are: beside this tenderctl, or `--bin-dir`.
func defaultBinDirectory() -> URL {
    (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().deletingLastPathComponent()
}
