import BenchSupport
import Foundation
import HTTPTypes
import Logging
import Messages
import NIOCore
import NIOFoundationCompat
import RPC
import ServiceKit

/// Our server core without any transport: `RPCDispatcher.handle` called directly, as
/// Hummingbird's responder calls it, with the same process bootstrap (JSON logs, Prometheus)
/// as a service; and the JSON decode/encode of the message alone. Separates what our layer
/// costs from what HTTP/2 costs.
enum InProcess {
    static func run(concurrency: Int, seconds: Double) async {
        ProcessBootstrap.once(logLevel: .info)
        let dispatcher = RPCDispatcher(
            router: OursServer.router, authenticator: nil, idempotency: InMemoryIdempotencyStore(),
            logger: Logger(label: "tender.bench"))
        let body = ByteBuffer(data: try! JSONCoding.encoder().encode(BenchMessage.sample))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("connect-protocol-version")!] = "1"
        headers[HTTPField.Name("connect-timeout-ms")!] = "10000"
        let fixedHeaders = headers
        let duration = Duration.milliseconds(Int64(seconds * 1000))
        let dispatch = await closedLoop(concurrency: concurrency, warmUp: .seconds(1), duration: duration) {
            let response = await dispatcher.handle(method: .post, path: BenchAPI.path, headers: fixedHeaders) { _ in body }
            return response.status == .ok
        }
        emit(dispatch.line([("bench", "inproc-dispatcher"), ("concurrency", String(concurrency))]))
        let codec = await closedLoop(concurrency: 1, warmUp: .milliseconds(500), duration: duration) {
            guard let message = try? JSONCoding.decoder().decode(BenchMessage.self, from: body),
                  let out = try? JSONCoding.encoder().encode(message) else { return false }
            return !out.isEmpty
        }
        emit(codec.line([("bench", "inproc-json-codec"), ("concurrency", "1")]))
    }
}
