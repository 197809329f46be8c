import Foundation
import Logging
import Messages
import NIOCore
import RPC
import Synchronization
import TestServiceKit

/// Starts `tender-testservice` as a real process with a fresh ``TestEnvironment``, runs
/// `body`, and always stops the process (SIGTERM, waiting for it to exit) and removes the
/// temporary directory, whether `body` succeeds or throws.
func withTestService<T>(
    _ name: String, extra: [String: String] = [:],
    _ body: (TestEnvironment, ServiceProcess) async throws -> T
) async throws -> T {
    let env = try TestEnvironment(name: name)
    defer { env.remove() }
    let process = try await ServiceProcess.start(environment: try env.serviceEnvironment(name: "testservice", extra: extra))
    let result: T
    do {
        result = try await body(env, process)
    } catch {
        await process.terminate()
        throw error
    }
    await process.terminate()
    return result
}

/// Our own client (``RPCClient`` over ``HTTP2ClientTransport``), with a transport wrapper
/// that keeps the HTTP status and raw body bytes of the last response, so they can be
/// compared byte for byte with what curl and nghttp received.
struct OurClient: Sendable {
    let transport: RecordingTransport
    let client: RPCClient

    init(url: String, tls: ClientTLS? = nil, retryPolicy: RetryPolicy = .default) throws {
        transport = RecordingTransport(inner: try HTTP2ClientTransport(url: url, tls: tls, logger: Self.logger))
        client = RPCClient(transport: transport, defaultTimeout: .seconds(30), retryPolicy: retryPolicy, logger: Self.logger)
    }

    static var logger: Logger {
        var logger = Logger(label: "systemtests.client")
        logger.logLevel = .warning
        return logger
    }

    /// Calls `method` with an already-encoded `body`: the response body on success, the
    /// ``RPCError`` otherwise; plus what the server actually sent (nil when nothing came back).
    func raw(_ method: MethodDescriptor, body: Data, token: String? = nil) async -> (result: Result<Data, RPCError>, response: HTTPExchange?) {
        transport.reset()
        let result: Result<Data, RPCError>
        do {
            let buffer = try await client.call(method, body: ByteBuffer(bytes: body), options: CallOptions(token: token))
            result = .success(Data(buffer.readableBytesView))
        } catch {
            result = .failure(error)
        }
        return (result, transport.last)
    }

    func close() async {
        await transport.inner.close()
    }
}

/// Runs `body` with a client and closes its connections afterwards.
func withOurClient<T>(
    _ url: String, tls: ClientTLS? = nil, retryPolicy: RetryPolicy = .default,
    _ body: (OurClient) async throws -> T
) async throws -> T {
    let client = try OurClient(url: url, tls: tls, retryPolicy: retryPolicy)
    let result: T
    do {
        result = try await body(client)
    } catch {
        await client.close()
        throw error
    }
    await client.close()
    return result
}

/// Passes requests to the real transport and remembers the last response as received.
final class RecordingTransport: ClientTransport {
    let inner: HTTP2ClientTransport
    private let lastResponse = Mutex<HTTPExchange?>(nil)

    init(inner: HTTP2ClientTransport) { self.inner = inner }

    func send(_ request: ClientRequest) async throws -> ClientResponse {
        let response = try await inner.send(request)
        let bytes = response.body.getBytes(at: response.body.readerIndex, length: response.body.readableBytes) ?? []
        lastResponse.withLock { $0 = HTTPExchange(version: "h2", status: response.status, body: Data(bytes)) }
        return response
    }

    func reset() { lastResponse.withLock { $0 = nil } }
    var last: HTTPExchange? { lastResponse.withLock { $0 } }
}

/// The JSON body of an error response, decoded.
func decodeError(_ body: Data) throws -> RPCError {
    try JSONCoding.decoder().decode(RPCError.self, from: body)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
