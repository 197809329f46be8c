import BenchSupport
import Logging
import RPC

/// Our `RPCClient` over `HTTP2ClientTransport`, as services call each other.
enum OursClient {
    static func run(port: Int, connections: Int, concurrency: Int, warmUp: Duration, duration: Duration) async throws -> LoadResult {
        var logger = Logger(label: "bench.client")
        logger.logLevel = .warning
        let transport = try HTTP2ClientTransport(host: "127.0.0.1", port: port, connections: connections, logger: logger)
        let client = RPCClient(transport: transport, logger: logger)
        let message = BenchMessage.sample
        let result = await closedLoop(concurrency: concurrency, warmUp: warmUp, duration: duration) {
            (try? await client.call(BenchAPI.echo, message)) == message
        }
        await transport.close()
        return result
    }
}
