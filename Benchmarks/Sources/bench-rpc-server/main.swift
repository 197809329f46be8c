import BenchSupport
import Foundation

// One server of the RPC comparison, until SIGTERM:
//
//   bench-rpc-server ours --port P [--engine nghttp2|hummingbird]
//                                     our RPCDispatcher inside a full ServiceRuntime (JSON
//                                     logs, Prometheus, SQLite, auth, ops listener) on the
//                                     engine `rpc.engine` names (default nghttp2, as services)
//   bench-rpc-server grpc --port P    grpc-swift-2 on its NIO HTTP/2 transport, JSON codec
//   bench-rpc-server bare --port P    a bare Hummingbird 2 .plaintextHTTP2() route
//   bench-rpc-server nghttp2 --port P our RPCDispatcher on the libnghttp2 engine without the
//                                     runtime (no SQLite, ops listener or authenticator)
//   bench-rpc-server inproc           no server: our dispatcher called in process, and the
//                                     JSON decode/encode alone, and what making a trace id
//                                     costs now and as proposed (prints RESULT lines)
//
// Each prints `LISTENING port=P` once it accepts connections.
let options = Options()
let kind = options.positional.first ?? "ours"
let port = options.int("port", 0)
switch kind {
case "ours":
    let engine = options.string("engine", "nghttp2")
    guard ["nghttp2", "hummingbird"].contains(engine) else {
        FileHandle.standardError.write(Data("unknown engine \(engine): nghttp2 or hummingbird\n".utf8))
        exit(2)
    }
    try await OursServer.run(
        port: port, dataDirectory: options.string("data-dir", NSTemporaryDirectory() + "/bench-ours-\(getpid())"), engine: engine)
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
