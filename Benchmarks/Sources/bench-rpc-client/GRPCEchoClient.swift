import BenchSupport
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// grpc-swift-2's client over its NIO HTTP/2 transport (one connection), JSON codec.
enum GRPCEchoClient {
    static func run(
        port: Int, concurrency: Int, warmUp: Duration, duration: Duration, serverPID: Int?
    ) async throws -> (LoadResult, [(String, String)]) {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        return try await withThrowingTaskGroup(of: LoadResult?.self) { group in
            group.addTask {
                try await client.runConnections()
                return nil
            }
            let message = BenchMessage.sample
            let cpu = CPUWindow.start(warmUp: warmUp, duration: duration, serverPID: serverPID)
            let result = await closedLoop(concurrency: concurrency, warmUp: warmUp, duration: duration) {
                let reply = try? await client.unary(
                    request: ClientRequest(message: message), descriptor: BenchAPI.grpcDescriptor,
                    serializer: JSONMessageSerializer<BenchMessage>(), deserializer: JSONMessageDeserializer<BenchMessage>(),
                    options: .defaults
                ) { try $0.message }
                return reply == message
            }
            let fields = await cpu.fields(calls: result.calls, seconds: result.seconds)
            client.beginGracefulShutdown()
            try await group.waitForAll()
            return (result, fields)
        }
    }
}
