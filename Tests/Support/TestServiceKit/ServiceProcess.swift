public import Foundation
import Synchronization

/// A service started as a real process for system tests: its JSON log is read until it
/// reports the ports it listens on; it can be stopped gracefully or killed.
public final class ServiceProcess: Sendable {
    public let rpcPort: Int
    public let opsPort: Int
    public let pid: Int32
    let process: Process
    let lines: LogLines

    public var url: String { "http://127.0.0.1:\(rpcPort)" }
    public var opsURL: String { "http://127.0.0.1:\(opsPort)" }
    /// Every log line so far.
    public var log: [String] { lines.all }

    /// Starts `executable` (a product name in the build directory) with `environment` added
    /// to the current one and waits until it listens.
    public static func start(_ executable: String = "tender-testservice", environment: [String: String], timeout: Duration = .seconds(60)) async throws -> ServiceProcess {
        let process = Process()
        process.executableURL = BuildProducts.directory.appendingPathComponent(executable)
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        if env["RPC_PORT"] == nil { env["RPC_PORT"] = "0" }
        if env["OPS_PORT"] == nil { env["OPS_PORT"] = "0" }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let lines = LogLines()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            lines.append(data)
        }
        try process.run()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let ports = lines.listeningPorts() {
                return ServiceProcess(rpcPort: ports.rpc, opsPort: ports.ops, pid: process.processIdentifier, process: process, lines: lines)
            }
            if !process.isRunning {
                // The process is gone, but its last lines may still be in the pipe: read them
                // to the end before reporting, or the error would be missing its reason.
                pipe.fileHandleForReading.readabilityHandler = nil
                lines.append(pipe.fileHandleForReading.readDataToEndOfFile())
                lines.flush()
                throw ServiceProcessError("\(executable) exited with \(process.terminationStatus) before listening:\n" + lines.all.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ServiceProcessError("\(executable) did not report listening within \(timeout):\n" + lines.all.joined(separator: "\n"))
    }

    init(rpcPort: Int, opsPort: Int, pid: Int32, process: Process, lines: LogLines) {
        self.rpcPort = rpcPort
        self.opsPort = opsPort
        self.pid = pid
        self.process = process
        self.lines = lines
    }

    /// SIGKILL: no chance to clean up, as in a crash.
    public func kill() async {
        Foundation.kill(pid, SIGKILL)
        await waitForExit()
    }

    /// SIGTERM, then waits for the process to exit; returns its exit status.
    @discardableResult
    public func terminate() async -> Int32 {
        Foundation.kill(pid, SIGTERM)
        await waitForExit()
        return process.terminationStatus
    }

    public var isRunning: Bool { process.isRunning }

    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if process.isRunning { Foundation.kill(pid, SIGKILL) }
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

final class LogLines: Sendable {
    private let state = Mutex<(buffer: [UInt8], lines: [String])>(([], []))

    func append(_ data: Data) {
        state.withLock { state in
            state.buffer.append(contentsOf: data)
            while let newline = state.buffer.firstIndex(of: 10) {
                state.lines.append(String(decoding: state.buffer[..<newline], as: UTF8.self))
                state.buffer.removeSubrange(...newline)
            }
        }
    }

    var all: [String] { state.withLock { $0.lines } }

    /// Ends a last line that has no newline.
    func flush() {
        state.withLock { state in
            guard !state.buffer.isEmpty else { return }
            state.lines.append(String(decoding: state.buffer, as: UTF8.self))
            state.buffer.removeAll()
        }
    }

    func listeningPorts() -> (rpc: Int, ops: Int)? {
        for line in all where line.contains("\"message\":\"listening\"") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let rpc = (object["rpc_port"] as? String).flatMap(Int.init), let ops = (object["ops_port"] as? String).flatMap(Int.init)
            else { continue }
            return (rpc, ops)
        }
        return nil
    }
}

/// Where `swift build` put the executables: beside the test bundle, or `TENDER_BIN_DIR`.
public enum BuildProducts {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["TENDER_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the test runner is `<build dir>/<Package>PackageTests.xctest`.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("tender-testservice").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }
}
