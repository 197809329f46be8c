public import Foundation
import Synchronization

/// What an external command printed and how it ended.
public struct CommandResult: Sendable {
    public var arguments: [String]
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: Data

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// For failure messages: the command line, exit code and both outputs.
    public var transcript: String {
        "$ \(arguments.joined(separator: " "))\nexit code \(exitCode)\n--- stdout\n\(stdoutText)\n--- stderr\n\(stderrText)"
    }
}

public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs external tools (curl, nghttp, h2load, openssl) as real processes with Foundation.Process:
/// the independent peers and the PKI of the interop and TLS tests.
///
/// Output goes to temporary files rather than pipes, so a chatty tool can never block on a
/// full pipe; the wait is asynchronous (termination handler), so no cooperative thread is held.
public enum Command {
    /// Where `tool` is on PATH. A missing tool fails the test with a clear message: CI
    /// installs them, so a missing one is a broken environment, never a reason to skip.
    public static func locate(_ tool: String) throws -> String {
        if tool.hasPrefix("/") { return tool }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let hint = switch tool {
        case "nghttp", "h2load": " (Debian/Ubuntu package nghttp2-client)"
        case "curl": " (package curl, built with HTTP/2 support)"
        case "openssl": " (package openssl)"
        default: ""
        }
        throw CommandError("`\(tool)` is required by the system tests but was not found on PATH\(hint); PATH=\(path)")
    }

    /// Whether `tool` is on PATH (for suites that only make sense with it).
    public static func isInstalled(_ tool: String) -> Bool {
        (try? locate(tool)) != nil
    }

    /// A temporary file holding `text` (a request body for curl, nghttp or h2load); the
    /// caller removes it.
    public static func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "tender-body-\(UUID().uuidString.prefix(12))"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `tool` with `arguments`; a process still running after `timeout` is killed and
    /// the call throws.
    public static func run(
        _ tool: String, _ arguments: [String], currentDirectory: String? = nil,
        environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let executable = try locate(tool)
        let scratch = NSTemporaryDirectory() + "tender-cmd-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let stdoutPath = scratch + "/stdout", stderrPath = scratch + "/stderr"
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
              FileManager.default.createFile(atPath: stderrPath, contents: nil)
        else { throw CommandError("cannot create output files in \(scratch)") }
        let stdout = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr

        let timedOut = TimeoutFlag()
        let watchdog = Task.detached {
            try await Task.sleep(for: timeout)
            if process.isRunning {
                timedOut.set()
                kill(process.processIdentifier, SIGKILL)
            }
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: CommandError("cannot start \(executable): \(error)"))
            }
        }
        try? stdout.close()
        try? stderr.close()
        let result = CommandResult(
            arguments: [tool] + arguments, exitCode: status,
            stdout: FileManager.default.contents(atPath: stdoutPath) ?? Data(),
            stderr: FileManager.default.contents(atPath: stderrPath) ?? Data())
        if timedOut.isSet {
            throw CommandError("timed out after \(timeout):\n" + result.transcript)
        }
        return result
    }
}

/// Set by the watchdog when it killed the process.
private final class TimeoutFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
