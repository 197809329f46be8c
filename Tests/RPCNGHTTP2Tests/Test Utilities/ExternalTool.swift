import Foundation

/// What an external program (curl, nghttp, h2load) printed and how it exited.
struct ToolResult: Sendable {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var transcript: String { "exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs independent HTTP/2 peers, so the engine is never only checked against our own client.
enum ExternalTool {
    static func isInstalled(_ name: String) -> Bool {
        ["/usr/bin/", "/usr/local/bin/", "/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + name) }
    }

    /// Runs `name` to completion. Output goes to files and the exit is awaited through the
    /// termination handler: blocking reads would take threads from the cooperative pool (two
    /// on a 2-core machine), which the server under test needs to answer the tool.
    static func run(_ name: String, _ arguments: [String]) async throws -> ToolResult {
        let scratch = NSTemporaryDirectory() + "tender-tool-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        _ = FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/err"))
        process.standardInput = FileHandle.nullDevice
        var launchError: (any Error)?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                launchError = error
                continuation.resume()
            }
        }
        if let launchError { throw launchError }
        let stdout = (try? Data(contentsOf: URL(fileURLWithPath: scratch + "/out"))) ?? Data()
        let stderr = (try? Data(contentsOf: URL(fileURLWithPath: scratch + "/err"))) ?? Data()
        return ToolResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A file holding `body`, removed by the caller.
    static func bodyFile(_ body: String) throws -> String {
        let path = NSTemporaryDirectory() + "tender-nghttp2-\(UUID().uuidString.prefix(12)).json"
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
