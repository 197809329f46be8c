import BenchSupport
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// grpc-swift-2 over its NIO HTTP/2 transport (plaintext), with the JSON codec.
enum GRPCEchoServer {
    struct EchoService: RegistrableRPCService {
        func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
            router.registerHandler(
                forMethod: BenchAPI.grpcDescriptor,
                deserializer: JSONMessageDeserializer<BenchMessage>(),
                serializer: JSONMessageSerializer<BenchMessage>()
            ) { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: single.message))
            }
        }
    }

    static func run(port: Int) async throws {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [EchoService()])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            if let bound = try await transport.listeningAddress.ipv4 { announce(bound.port) }
        }
    }
}
