import Foundation
import Messages
import RPC
import TestServiceKit

/// Starts `tender-testservice` as a real process with `extra` settings, runs `body`, then
/// terminates it — also when `body` throws.
func withServiceProcess<T>(
    _ environment: TestEnvironment, name: String, extra: [String: String] = [:],
    _ body: (ServiceProcess) async throws -> T
) async throws -> T {
    let process = try await ServiceProcess.start(environment: try environment.serviceEnvironment(name: name, extra: extra))
    do {
        let result = try await body(process)
        await process.terminate()
        return result
    } catch {
        await process.terminate()
        throw error
    }
}

/// Runs `body` with a fresh ``TestEnvironment`` and removes its directory afterwards.
func withTestEnvironment<T>(_ body: (TestEnvironment) async throws -> T) async throws -> T {
    let environment = try TestEnvironment(name: "rpc-process")
    do {
        let result = try await body(environment)
        environment.remove()
        return result
    } catch {
        environment.remove()
        throw error
    }
}

extension ServiceProcess {
    /// A client over HTTP/2 to this process.
    func client(token: String? = nil, retryPolicy: RetryPolicy = .default) throws -> RPCClient {
        RPCClient(
            transport: try HTTP2ClientTransport(url: url, logger: TestBackend.logger),
            tokenProvider: token.map(StaticTokenProvider.init), retryPolicy: retryPolicy, logger: TestBackend.logger)
    }

    func stats() async throws -> Stats {
        try await client().call(TestAPI.stats, StatsRequest())
    }
}
