import Messages
import RPC
import RPCNGHTTP2
import Testing
import TestServiceKit

/// The NIOHTTP2 client (the fallback engine's) after the server's GOAWAY: the call in flight
/// finishes on the old connection, new calls go to a new one.
@Suite("NIO client: GOAWAY")
struct NIOClientGoAwayTests {
    @Test("after GOAWAY a new call opens a new connection, and the old one finishes its call")
    func newCallsGoToANewConnection() async throws {
        let engine = NGHTTP2ServerConfiguration(maxAge: .seconds(1), gracefulCloseTimeout: .seconds(120))
        try await withEngineServer(engine: engine) { (server: EngineServer) async throws in
            // No retries for the call under test: sent into the old connection, it would fail.
            let client = server.client()
            // The long call may retry: on a slow machine its stream can cross the GOAWAY on
            // the wire, and is then undelivered and goes to a new connection.
            let retrying = RPCClient(transport: server.transport, defaultTimeout: .seconds(60), retryPolicy: .default, logger: EngineServer.logger)
            let sleeping = Task { try await retrying.call(TestAPI.sleep, SleepRequest(milliseconds: 6_000)) }
            // The connection is older than its max age by now: the server's GOAWAY has come.
            try await Task.sleep(for: .milliseconds(2_500))
            let message = EchoMessage(id: "1", title: "after goaway", amount: .zero, tags: [], org: OrgNumber("923609016"))
            #expect(try await client.call(TestAPI.echo, message) == message)
            // The old connection was not closed under the call still running on it.
            #expect(try await sleeping.value.slept == 6_000)
        }
    }
}
