import BenchSupport
import Logging
import RPCNGHTTP2
import RPC
import ServiceKit

/// Our `RPCDispatcher` (the same router as `ours`) on the libnghttp2 engine (issue 8), with
/// the process bootstrap of a service (JSON logs, Prometheus metrics). Unlike `ours` it has
/// no SQLite, ops listener or JWT authenticator: the Echo call uses none of them.
enum NGHTTP2Bench {
    static func run(port: Int) async throws {
        ProcessBootstrap.once(logLevel: .info)
        let logger = Logger(label: "tender.bench")
        let dispatcher = RPCDispatcher(router: OursServer.router, authenticator: nil, idempotency: InMemoryIdempotencyStore(), logger: logger)
        let server = NGHTTP2Server(dispatcher: dispatcher, host: "127.0.0.1", port: port, logger: logger)
        announce(try await server.start())
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
