import BenchSupport
import Foundation

// A client of the RPC comparison: closed-loop calls to Echo from `--concurrency` tasks for
// `--seconds` after `--warmup` seconds, then one RESULT line.
//
//   bench-rpc-client ours --port P [--connections 1]   our RPCClient (HTTP2ClientTransport)
//   bench-rpc-client grpc --port P                     grpc-swift-2's GRPCClient
let options = Options()
let kind = options.positional.first ?? "ours"
let port = options.int("port", 0)
let concurrency = options.int("concurrency", 64)
let warmUp = Duration.milliseconds(Int64(options.double("warmup", 2) * 1000))
let duration = Duration.milliseconds(Int64(options.double("seconds", 10) * 1000))
let result: LoadResult
switch kind {
case "ours":
    result = try await OursClient.run(port: port, connections: options.int("connections", 1), concurrency: concurrency, warmUp: warmUp, duration: duration)
case "grpc":
    result = try await GRPCEchoClient.run(port: port, concurrency: concurrency, warmUp: warmUp, duration: duration)
default:
    FileHandle.standardError.write(Data("unknown client kind \(kind): ours or grpc\n".utf8))
    exit(2)
}
emit(result.line([("bench", "\(kind)-client"), ("concurrency", String(concurrency))]))
