import Foundation
import TestServiceKit

/// One HTTP response as an external client saw it.
struct HTTPExchange: Sendable, CustomStringConvertible {
    /// `HTTP/2` (curl's status line) or `h2` (nghttp speaks nothing else).
    var version: String
    var status: Int
    var body: Data
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var description: String { "\(version) \(status) \(bodyText)" }
}

/// `curl` driven as a separate process.
enum Curl {
    /// POSTs `body` to `url`; `options` selects the protocol (`--http2-prior-knowledge`,
    /// `--http2 --cacert …`). Returns the raw result: a refused TLS handshake shows as a
    /// non-zero exit code.
    static func post(_ url: String, body: Data, headers: [String] = [], options: [String]) async throws -> CommandResult {
        let scratch = NSTemporaryDirectory() + "tender-curl-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bodyFile = scratch + "/body.json"
        try body.write(to: URL(fileURLWithPath: bodyFile))
        var arguments = options + ["-s", "-S", "-i", "--noproxy", "*", "--max-time", "30", "-X", "POST",
                                   "-H", "content-type: application/json"]
        for header in headers { arguments += ["-H", header] }
        arguments += ["--data-binary", "@" + bodyFile, url]
        return try await Command.run("curl", arguments)
    }

    /// Parses the output of `curl -i`: status line, headers, blank line, body.
    static func exchange(_ result: CommandResult) throws -> HTTPExchange {
        guard result.exitCode == 0 else { throw CommandError("curl failed:\n" + result.transcript) }
        let separator = Data("\r\n\r\n".utf8)
        guard let end = result.stdout.range(of: separator) else {
            throw CommandError("curl output has no header/body separator:\n" + result.transcript)
        }
        let head = String(decoding: result.stdout[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw CommandError("curl output has no status line:\n" + result.transcript)
        }
        return HTTPExchange(version: String(parts[0]), status: status, body: Data(result.stdout[end.upperBound...]))
    }
}

/// `nghttp` (nghttp2's client) driven as a separate process. It speaks only HTTP/2.
enum Nghttp {
    /// POSTs `body` (sent from a file with `-d`) to `url` with verbose frame output.
    static func post(_ url: String, body: Data, headers: [String] = [], options: [String] = []) async throws -> CommandResult {
        let scratch = NSTemporaryDirectory() + "tender-nghttp-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bodyFile = scratch + "/body.json"
        try body.write(to: URL(fileURLWithPath: bodyFile))
        var arguments = options + ["-v", "-t", "30", "-H", ":method: POST", "-H", "content-type: application/json"]
        for header in headers { arguments += ["-H", header] }
        arguments += ["-d", bodyFile, url]
        return try await Command.run("nghttp", arguments)
    }

    /// Reads status and body from `nghttp -v` output. The verbose lines start with a
    /// `[  0.003]` timestamp or are indented continuation lines; nghttp writes each chunk of
    /// the response body to stdout just before logging the DATA frame that carried it
    /// (`[  0.003] recv DATA frame …`), without a newline.
    static func exchange(_ result: CommandResult) throws -> HTTPExchange {
        guard result.exitCode == 0 else { throw CommandError("nghttp failed:\n" + result.transcript) }
        let text = result.stdoutText
        guard text.contains(" recv HEADERS frame"), text.contains("; First response header") else {
            throw CommandError("nghttp received no response headers:\n" + result.transcript)
        }
        guard let statusMatch = text.firstMatch(of: /recv \(stream_id=\d+\) :status: (\d{3})/), let status = Int(statusMatch.1) else {
            throw CommandError("nghttp output has no :status:\n" + result.transcript)
        }
        var body = ""
        for match in text.matches(of: /^(.*?)\[\s*\d+\.\d+\] recv DATA frame/.anchorsMatchLineEndings()) {
            body += match.1
        }
        return HTTPExchange(version: "h2", status: status, body: Data(body.utf8))
    }
}
