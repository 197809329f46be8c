import HTTPTypes
import Messages
import NIOCore
import RPC
import Synchronization
import Testing

/// ``BalancedClientTransport``: calls spread over replicas, and moved on only where that is
/// safe for any method — nothing was sent, or the replica answered `unavailable`.
@Suite("Balanced client transport")
struct BalancedTransportTests {
    static let write = MethodDescriptor(service: "tender.test.v1.TestService", name: "Write", kind: .mutating, access: .everyone)

    /// Not retried by the call layer (a mutation without a key, no retries): whatever
    /// happens beyond one attempt is the balancer's doing.
    static func call(_ transport: any ClientTransport) async -> Result<ByteBuffer, RPCError> {
        let client = RPCClient(transport: transport, retryPolicy: .none)
        do {
            return .success(try await client.call(write, body: ByteBuffer(string: "{}")))
        } catch {
            return .failure(error)
        }
    }

    static func code(_ result: Result<ByteBuffer, RPCError>) -> ErrorCode? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    @Test func callsAreSpreadRoundRobin() async throws {
        let replicas = (0..<3).map { _ in StubReplica(.answer) }
        let balanced = BalancedClientTransport(replicas: replicas)
        for _ in 0..<9 { _ = try await Self.call(balanced).get() }
        #expect(replicas.map(\.calls) == [3, 3, 3])
    }

    @Test("a replica's answer unavailable (draining, a Records standby) moves the call on, even a mutation without a key")
    func refusalMovesOn() async throws {
        let standby = StubReplica(.refuse), writer = StubReplica(.answer)
        let balanced = BalancedClientTransport(replicas: [standby, writer])
        for _ in 0..<4 { _ = try await Self.call(balanced).get() }
        #expect(writer.calls == 4)
        #expect(standby.calls == 2)
    }

    @Test("an unreachable replica is skipped: the request never left")
    func unreachableIsSkipped() async throws {
        let down = try HTTP2ClientTransport(url: "http://127.0.0.1:\(try await closedPort())")
        let up = StubReplica(.answer)
        let balanced = BalancedClientTransport(replicas: [down, up])
        for _ in 0..<4 { _ = try await Self.call(balanced).get() }
        #expect(up.calls == 4)
    }

    @Test("a call cut off mid-way, or answered with another error, is not moved")
    func otherFailuresStay() async throws {
        for failure in [StubReplica.Behaviour.breakConnection, .reject] {
            let first = StubReplica(failure), second = StubReplica(.answer)
            let balanced = BalancedClientTransport(replicas: [first, second])
            let result = await Self.call(balanced)
            #expect(Self.code(result) == (failure == .reject ? .invalidArgument : .unavailable))
            #expect(first.calls == 1)
            #expect(second.calls == 0)
        }
    }

    @Test("when every replica refuses, the caller sees unavailable")
    func allRefuse() async throws {
        let replicas = [StubReplica(.refuse), StubReplica(.refuse)]
        let result = await Self.call(BalancedClientTransport(replicas: replicas))
        #expect(Self.code(result) == .unavailable)
        #expect(replicas.map(\.calls) == [1, 1])
    }

    @Test func urlListsAreParsed() throws {
        #expect(BalancedClientTransport.urls(in: " http://a:1, http://b:2 ,,") == ["http://a:1", "http://b:2"])
        #expect(try BalancedClientTransport.transport(urls: "http://a:1") is HTTP2ClientTransport)
        #expect((try BalancedClientTransport.transport(urls: "http://a:1,http://b:2") as? BalancedClientTransport)?.replicas.count == 2)
        #expect(throws: RPCError.self) { try BalancedClientTransport(urls: " , ") }
    }
}

/// A replica that answers, refuses with `unavailable`, rejects with `invalid_argument`, or
/// loses the connection under the request; it counts what reached it.
final class StubReplica: ClientTransport {
    enum Behaviour: Sendable { case answer, refuse, reject, breakConnection }
    let behaviour: Behaviour
    private let count = Mutex(0)

    init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    var calls: Int { count.withLock { $0 } }

    func send(_ request: ClientRequest) async throws -> ClientResponse {
        count.withLock { $0 += 1 }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        switch behaviour {
        case .answer:
            return ClientResponse(status: 200, headers: headers, body: ByteBuffer(string: "{}"))
        case .refuse:
            return ClientResponse(status: 503, headers: headers, body: JSONWire.errorBody(RPCError(.unavailable, "this replica is not the record's writer; retry")))
        case .reject:
            return ClientResponse(status: 400, headers: headers, body: JSONWire.errorBody(RPCError(.invalidArgument, "no")))
        case .breakConnection:
            throw RPCError(.unavailable, "connection to the replica failed")
        }
    }
}
