import Foundation
import Messages
import Synchronization

/// Runs every service of a local stack as a separate process on loopback (h2c), each with
/// SQLite in its own directory under the stack's, sharing the local token issuer and the
/// driven clock. A service that dies while the stack runs is restarted on the same ports
/// (after a crash the outbox of every other service delivers what it held back).
final class LocalStack: Sendable {
    struct Running: Sendable {
        var process: Process
        var startedAt: ContinuousClock.Instant
        var restarts: Int
    }

    let layout: StackLayout
    let binDirectory: URL
    let specs: [ServiceSpec]
    /// RPC and ops port per service.
    let ports: [String: (rpc: Int, ops: Int)]
    let report: @Sendable (String) -> Void
    private let state = Mutex<(running: [String: Running], stopping: Bool)>(([:], false))

    /// - Parameter anyPorts: free ports chosen now instead of each service's default port.
    init(layout: StackLayout, binDirectory: URL, specs: [ServiceSpec] = ServiceSpec.all, anyPorts: Bool, report: @escaping @Sendable (String) -> Void) throws {
        self.layout = layout
        self.binDirectory = binDirectory
        self.specs = specs
        self.report = report
        var ports: [String: (rpc: Int, ops: Int)] = [:]
        for spec in specs {
            ports[spec.name] = anyPorts ? (try freePort(), try freePort()) : (spec.defaultPort, spec.defaultPort + 1000)
        }
        self.ports = ports
        for spec in specs where !FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent(spec.executable).path) {
            throw StackError("\(spec.executable) is not built in \(binDirectory.path); run `swift build` first")
        }
    }

    func url(_ service: String) -> String { "http://127.0.0.1:\(ports[service]!.rpc)" }
    func opsURL(_ service: String) -> String { "http://127.0.0.1:\(ports[service]!.ops)" }
    var endpoints: [String: String] { Dictionary(uniqueKeysWithValues: specs.map { ($0.name, url($0.name)) }) }

    /// Starts every service in order, each once it listens, and writes endpoints.json.
    func start() async throws {
        _ = try layout.prepare()
        if !FileManager.default.fileExists(atPath: layout.clockFile) {
            try Data(#"{"offsetMilliseconds":0}"#.utf8).write(to: URL(fileURLWithPath: layout.clockFile))
        }
        for spec in specs {
            for port in [ports[spec.name]!.rpc, ports[spec.name]!.ops] where !isFree(port) {
                throw StackError("port \(port) for \(spec.name) is in use (another stack running? try --any-ports)")
            }
        }
        do {
            for spec in specs { try await launch(spec, restarts: 0) }
        } catch {
            await stop()
            throw error
        }
        try JSONCoding.encoder().encode(endpoints).write(to: URL(fileURLWithPath: layout.endpoints))
        writeStackFile()
    }

    func environment(for spec: ServiceSpec) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        // A minimal environment: nothing from the caller's shell (a stray DATABASE_URL) may
        // reconfigure a local service.
        var env = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin", "HOME": inherited["HOME"] ?? "/tmp"]
        if let backtrace = inherited["SWIFT_BACKTRACE"] { env["SWIFT_BACKTRACE"] = backtrace }
        env["ENVIRONMENT"] = "local"
        env["DATA_DIR"] = layout.data(spec.name)
        env["RPC_PORT"] = String(ports[spec.name]!.rpc)
        env["OPS_PORT"] = String(ports[spec.name]!.ops)
        env["AUTH_LOCAL_ISSUER_KEY_FILE"] = layout.issuerKey
        env["CLOCK_FILE"] = layout.clockFile
        env["LOG_LEVEL"] = inherited["TENDER_LOG_LEVEL"] ?? "info"
        if spec.name != "records" { env["RECORDS_URL"] = url("records") }
        switch spec.name {
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

    private func launch(_ spec: ServiceSpec, restarts: Int) async throws {
        try FileManager.default.createDirectory(atPath: layout.data(spec.name), withIntermediateDirectories: true)
        let logPath = layout.log(spec.name)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw StackError("cannot write \(logPath)") }
        let offset = log.seekToEndOfFile()
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(spec.executable)
        process.environment = environment(for: spec)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] ended in
            try? log.close()
            self?.exited(spec, status: ended.terminationStatus, process: ended)
        }
        try process.run()
        state.withLock { $0.running[spec.name] = Running(process: process, startedAt: .now, restarts: restarts) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if Self.listening(in: logPath, after: offset) { return }
            if !process.isRunning {
                throw StackError("\(spec.executable) exited with status \(process.terminationStatus) while starting; its log: \(logPath)\n" + Self.tail(logPath, after: offset))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw StackError("\(spec.executable) did not listen within 60 s; its log: \(logPath)")
    }

    private func exited(_ spec: ServiceSpec, status: Int32, process: Process) {
        let restart: Int? = state.withLock { state in
            guard !state.stopping, let running = state.running[spec.name], running.process === process else { return nil }
            return running.restarts + 1
        }
        guard let restarts = restart else { return }
        report("\(spec.name) exited (status \(status)); restarting it (restart \(restarts))")
        Task {
            // A service that keeps dying is restarted more slowly.
            try? await Task.sleep(for: .milliseconds(min(200 * restarts, 5000)))
            guard !self.state.withLock({ $0.stopping }) else { return }
            do {
                try await self.launch(spec, restarts: restarts)
                self.writeStackFile()
                self.report("\(spec.name) is back at \(self.url(spec.name))")
            } catch {
                self.report("\(spec.name) could not be restarted: \(error)")
            }
        }
    }

    /// SIGTERM to every service, last started first; each has 15 s to drain, then SIGKILL.
    func stop() async {
        let running = state.withLock { state in
            state.stopping = true
            return state.running
        }
        for spec in specs.reversed() {
            guard let process = running[spec.name]?.process, process.isRunning else { continue }
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

    /// Whether every service is still running (for `up` to notice a stack that cannot recover).
    var processIDs: [String: Int32] {
        state.withLock { state in state.running.mapValues { $0.process.processIdentifier } }
    }

    private func writeStackFile() {
        struct Entry: Encodable { var url: String; var ops: String; var pid: Int32; var log: String }
        let pids = processIDs
        let entries = Dictionary(uniqueKeysWithValues: specs.map { spec in
            (spec.name, Entry(url: url(spec.name), ops: opsURL(spec.name), pid: pids[spec.name] ?? 0, log: layout.log(spec.name)))
        })
        try? JSONCoding.encoder().encode(entries).write(to: URL(fileURLWithPath: layout.stackFile))
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
