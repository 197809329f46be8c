import BenchSupport
import Foundation

// One server of the RPC comparison, until SIGTERM:
//
//   bench-rpc-server ours --port P    our RPCDispatcher on Hummingbird h2c, inside a full
//                                     ServiceRuntime (JSON logs, Prometheus, SQLite, auth)
//   bench-rpc-server grpc --port P    grpc-swift-2 on its NIO HTTP/2 transport, JSON codec
//   bench-rpc-server bare --port P    a bare Hummingbird 2 .plaintextHTTP2() route
//   bench-rpc-server nghttp2 --port P our RPCDispatcher on the libnghttp2 engine (issue 8)
//   bench-rpc-server inproc           no server: our dispatcher called in process, and the
//                                     JSON decode/encode alone, and what making a trace id
//                                     costs now and as proposed (prints RESULT lines)
//
// Each prints `LISTENING port=P` once it accepts connections.
let options = Options()
let kind = options.positional.first ?? "ours"
let port = options.int("port", 0)
switch kind {
case "ours": try await OursServer.run(port: port, dataDirectory: options.string("data-dir", NSTemporaryDirectory() + "/bench-ours-\(getpid())"))
case "grpc": try await GRPCEchoServer.run(port: port)
case "bare": try await BareServer.run(port: port)
case "nghttp2": try await NGHTTP2Bench.run(port: port)
case "inproc":
    await InProcess.run(concurrency: options.int("concurrency", 64), seconds: options.double("seconds", 5))
    await TraceIDCost.run(seconds: min(options.double("seconds", 5), 3))
    JSONCost.run()
default:
    FileHandle.standardError.write(Data("unknown server kind \(kind): ours, grpc, bare, nghttp2 or inproc\n".utf8))
    exit(2)
}

/// Tells `Benchmarks/run` the server listens.
func announce(_ port: Int) {
    FileHandle.standardOutput.write(Data("LISTENING port=\(port)\n".utf8))
}
