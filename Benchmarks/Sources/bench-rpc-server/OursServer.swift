import BenchSupport
import Foundation
import Messages
import RPC
import ServiceKit

/// Our server exactly as a service runs it: `ServiceRuntime` with its JSON log handler,
/// Prometheus metrics, SQLite database, JWT authenticator and ops listener, serving one
/// `Echo` method open to everyone. `engine` is `rpc.engine` (`RPC_ENGINE`): `nghttp2` (the
/// services' default) or `hummingbird`, so both engines run behind the same full runtime.
enum OursServer {
    static func run(port: Int, dataDirectory: String, engine: String) async throws {
        let settings = try await ServiceSettings.load(service: "bench", defaultPort: port, environment: [
            "RPC_PORT": String(port), "OPS_PORT": "0", "DATA_DIR": dataDirectory, "LOG_LEVEL": "info",
            "RPC_ENGINE": engine,
        ])
        let runtime = try await ServiceRuntime.start(settings)
        try await runtime.run(router: router) { rpc, _ in announce(rpc) }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    static var router: RPCRouter {
        var router = RPCRouter()
        router.register(BenchAPI.echo) { request, _ in request }
        return router
    }
}
