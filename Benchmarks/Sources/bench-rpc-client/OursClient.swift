import BenchSupport
import Logging
import RPC
import RPCNGHTTP2

/// Our `RPCClient` as services call each other, over one of the two client engines:
/// `HTTP2ClientTransport` (NIOHTTP2, the default) or `NGHTTP2ClientTransport` (libnghttp2).
enum OursClient {
    enum Engine: String {
        case nio, nghttp2
    }

    static func run(
        port: Int, engine: Engine, connections: Int, concurrency: Int, warmUp: Duration, duration: Duration, serverPID: Int?
    ) async throws -> (LoadResult, [(String, String)]) {
        var logger = Logger(label: "bench.client")
        logger.logLevel = .warning
        let transport: any ReplicaTransport = switch engine {
        case .nio: try HTTP2ClientTransport(host: "127.0.0.1", port: port, connections: connections, logger: logger)
        case .nghttp2: try NGHTTP2ClientTransport(host: "127.0.0.1", port: port, connections: connections, logger: logger)
        }
        let client = RPCClient(transport: transport, logger: logger)
        let message = BenchMessage.sample
        let cpu = CPUWindow.start(warmUp: warmUp, duration: duration, serverPID: serverPID)
        let result = await closedLoop(concurrency: concurrency, warmUp: warmUp, duration: duration) {
            (try? await client.call(BenchAPI.echo, message)) == message
        }
        let fields = await cpu.fields(calls: result.calls, seconds: result.seconds)
        await transport.close()
        return (result, fields)
    }
}
