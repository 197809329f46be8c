import Foundation
import Logging
import RPC
import RPCNGHTTP2
import SafetyService

// The engine under AddressSanitizer for scripts/nghttp2-safety: ``SafetyAPI`` through the
// real dispatcher, with the production limits (`NGHTTP2ServerConfiguration()`'s defaults)
// but for the connection cap, which SAFETY_MAX_CONNECTIONS may lower (so that the abuse
// test of the cap fits in its memory bound under ASan), on 127.0.0.1. Prints `listening on <port>` once it accepts; SIGTERM or SIGINT shuts it
// down gracefully, and it exits 0 so that LeakSanitizer's check at exit runs.
//
//   nghttp2-safety-server [--port N]   (0, the default, binds a free port)

var logger = Logger(label: "tender.nghttp2-safety")
// SAFETY_LOG_LEVEL=debug shows every HTTP/2 session error (one per abusive connection).
logger.logLevel = ProcessInfo.processInfo.environment["SAFETY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

let arguments = CommandLine.arguments
let port = arguments.firstIndex(of: "--port").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? 0

var configuration = NGHTTP2ServerConfiguration()
if let cap = ProcessInfo.processInfo.environment["SAFETY_MAX_CONNECTIONS"].flatMap(Int.init) { configuration.maxConnections = cap }
let server = NGHTTP2Server(dispatcher: .safety(logger: logger), host: "127.0.0.1", port: port, configuration: configuration, logger: logger)
let bound = try await server.start()
// Unbuffered: the script waits for this line on a pipe.
FileHandle.standardOutput.write(Data("listening on \(bound)\n".utf8))
await Termination.signalled()
await server.shutdown()
FileHandle.standardOutput.write(Data("stopped\n".utf8))
