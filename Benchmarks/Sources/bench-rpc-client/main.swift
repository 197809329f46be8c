import BenchSupport
import Foundation

// A client of the RPC comparison: closed-loop calls to Echo from `--concurrency` tasks for
// `--seconds` after `--warmup` seconds, then one RESULT line.
//
//   bench-rpc-client ours --port P [--connections 1] [--engine nio|nghttp2]
//                                                      our RPCClient on HTTP2ClientTransport
//                                                      (nio, the default) or NGHTTP2ClientTransport
//   bench-rpc-client grpc --port P                     grpc-swift-2's GRPCClient
//
// The RESULT line has the client's CPU time per call over the measured window
// (`client_cpu_us_per_call`, `client_core`) and, with `--server-pid PID`, the server's over
// the same window (`cpu_us`, `server_core`, as the h2load rows name them).
let options = Options()
let kind = options.positional.first ?? "ours"
let port = options.int("port", 0)
let concurrency = options.int("concurrency", 64)
let warmUp = Duration.milliseconds(Int64(options.double("warmup", 2) * 1000))
let duration = Duration.milliseconds(Int64(options.double("seconds", 10) * 1000))
let serverPID: Int? = options.int("server-pid", 0) > 0 ? options.int("server-pid", 0) : nil
let result: LoadResult, cpuFields: [(String, String)]
switch kind {
case "ours":
    guard let engine = OursClient.Engine(rawValue: options.string("engine", "nio")) else {
        FileHandle.standardError.write(Data("unknown client engine \(options.string("engine", "")): nio or nghttp2\n".utf8))
        exit(2)
    }
    (result, cpuFields) = try await OursClient.run(
        port: port, engine: engine, connections: options.int("connections", 1), concurrency: concurrency, warmUp: warmUp, duration: duration,
        serverPID: serverPID)
case "grpc":
    (result, cpuFields) = try await GRPCEchoClient.run(
        port: port, concurrency: concurrency, warmUp: warmUp, duration: duration, serverPID: serverPID)
default:
    FileHandle.standardError.write(Data("unknown client kind \(kind): ours or grpc\n".utf8))
    exit(2)
}
let label = kind == "ours" && options.string("engine", "nio") == "nghttp2" ? "ours-nghttp2" : kind
emit(result.line([("bench", "\(label)-client"), ("concurrency", String(concurrency))]) + cpuFields.map { " \($0.0)=\($0.1)" }.joined())
