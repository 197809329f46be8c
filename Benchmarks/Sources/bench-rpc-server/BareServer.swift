import BenchSupport
import Foundation
import Hummingbird
import HummingbirdHTTP2
import Messages
import NIOCore
import NIOFoundationCompat

/// Hummingbird 2's `.plaintextHTTP2()` with one route doing the same JSON decode and encode:
/// the cost of the HTTP/2 stack without our layer.
enum BareServer {
    static func run(port: Int) async throws {
        let router = Router()
        router.post(RouterPath(BenchAPI.path)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 << 20)
            let message = try JSONCoding.decoder().decode(BenchMessage.self, from: body)
            let out = ByteBuffer(data: try JSONCoding.encoder().encode(message))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: out))
        }
        let application = Application(
            router: router, server: .plaintextHTTP2(),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in announce(channel.localAddress?.port ?? port) })
        try await application.runService()
    }
}
