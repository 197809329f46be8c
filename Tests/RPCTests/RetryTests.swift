import Foundation
import Messages
import NIOCore
import RPC
import Testing
import TestServiceKit

/// Retries (DESIGN.md §2, ``RetryPolicy``): only `unavailable`, only where repeating is safe
/// (an idempotent method, or a mutation carrying an idempotency key), never more than the
/// policy allows and never past the deadline. Attempts are counted twice: by the transport
/// (what the client sent) and by the handler (what the server ran).
@Suite("Retries")
struct RetryTests {
    /// Short waits, so a retried call takes milliseconds.
    static let quick = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20))

    @Test func idempotentMethodIsRetried() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let key = uniqueKey("read")
            let response = try await client.call(TestAPI.flakyRead, FlakyRequest(key: key, failures: 2), options: .init(timeout: .seconds(60)))
            #expect(response.attempts == 3)
            #expect(counting.attempts == 3)
            #expect(try await backend.stats().flakyAttempts[key] == 3)
        }
    }

    @Test func mutationWithoutKeyIsNotRetried() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let key = uniqueKey("write")
            let error = await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyWrite, FlakyRequest(key: key, failures: 2))
            }
            #expect(error?.code == .unavailable)
            #expect(counting.attempts == 1)
            let stats = try await backend.stats()
            #expect(stats.flakyAttempts[key] == 1)
        }
    }

    /// A keyed mutation is safe to repeat: the idempotency layer releases the key of a failed
    /// attempt, so the retry runs the handler again; once it succeeded, a repeat replays.
    @Test func mutationWithKeyIsRetriedThenReplayed() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let key = uniqueKey("write")
            let request = FlakyRequest(key: key, failures: 2)
            let options = CallOptions(idempotencyKey: uniqueKey("idem"))
            let response = try await client.call(TestAPI.flakyWrite, request, options: options)
            #expect(response.attempts == 3)
            #expect(counting.attempts == 3)
            let again = try await client.call(TestAPI.flakyWrite, request, options: options)
            #expect(again.attempts == 3, "the repeat ran the handler instead of replaying")
            #expect(counting.attempts == 4)
            #expect(try await backend.stats().flakyAttempts[key] == 3)
        }
    }

    @Test func attemptsAreBoundedByThePolicy() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let key = uniqueKey("read")
            let error = await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyRead, FlakyRequest(key: key, failures: 100))
            }
            #expect(error?.code == .unavailable)
            #expect(counting.attempts == Self.quick.maxAttempts)
            let stats = try await backend.stats()
            #expect(stats.flakyAttempts[key] == Self.quick.maxAttempts)
        }
    }

    @Test func policyNoneNeverRetries() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: .none, logger: TestBackend.logger)
            let read = uniqueKey("read")
            let error = await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyRead, FlakyRequest(key: read, failures: 1))
            }
            #expect(error?.code == .unavailable)
            let write = uniqueKey("write")
            await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyWrite, FlakyRequest(key: write, failures: 1), options: .init(idempotencyKey: uniqueKey("idem")))
            }
            #expect(counting.attempts == 2)
            let stats = try await backend.stats()
            #expect(stats.flakyAttempts[read] == 1)
            #expect(stats.flakyAttempts[write] == 1)
        }
    }

    /// Errors other than `unavailable` say the server looked at the request and refused
    /// it; asking again cannot help.
    @Test("other errors are never retried, even on idempotent methods", arguments: [
        ErrorCode.permissionDenied, .unauthenticated, .invalidArgument, .unimplemented,
    ])
    func otherErrorsAreNotRetried(_ code: ErrorCode) async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let error = await #expect(throws: RPCError.self) {
                switch code {
                case .permissionDenied:
                    _ = try await client.call(TestAPI.get, GetRequest(key: "k"), options: .init(token: try await backend.token(.startup)))
                case .unauthenticated:
                    _ = try await client.call(TestAPI.get, GetRequest(key: "k"))
                case .invalidArgument:
                    _ = try await client.call(TestAPI.echo.descriptor, body: ByteBuffer(string: #"{"id":1}"#))
                default:
                    let missing = MethodDescriptor(service: TestAPI.service, name: "Missing", kind: .idempotent, access: .everyone)
                    _ = try await client.call(missing, body: ByteBuffer(string: "{}"))
                }
            }
            #expect(error?.code == code)
            #expect(counting.attempts == 1)
        }
    }

    @Test func retriesStopAtTheDeadline() async throws {
        try await withTestBackend { backend in
            let counting = CountingTransport(InProcessTransport(dispatcher: backend.dispatcher))
            let patient = RetryPolicy(maxAttempts: 1000, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
            let client = RPCClient(transport: counting, retryPolicy: patient, logger: TestBackend.logger)
            let (error, elapsed) = await measure {
                await #expect(throws: RPCError.self) {
                    // 3 s: long enough for several attempts on a loaded machine, short enough
                    // that 1000 attempts cannot fit.
                    try await client.call(TestAPI.flakyRead, FlakyRequest(key: uniqueKey("read"), failures: 1000), options: .init(timeout: .seconds(3)))
                }
            }
            #expect(error.map { [.unavailable, .deadlineExceeded].contains($0.code) } == true, "\(String(describing: error))")
            #expect(elapsed < .seconds(25), "retrying outlasted a 3 s deadline: \(elapsed)")
            #expect(counting.attempts > 1 && counting.attempts < 1000)
        }
    }

    /// Over real HTTP/2: the server's `unavailable` arrives as such and is retried.
    @Test func idempotentMethodIsRetriedOverHTTP2() async throws {
        try await withTestServer { server in
            let counting = CountingTransport(server.transport)
            let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
            let key = uniqueKey("read")
            let response = try await client.call(TestAPI.flakyRead, FlakyRequest(key: key, failures: 2), options: .init(timeout: .seconds(60)))
            #expect(response.attempts == 3)
            #expect(counting.attempts == 3)
            let write = uniqueKey("write")
            let error = await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyWrite, FlakyRequest(key: write, failures: 2), options: .init(timeout: .seconds(60)))
            }
            #expect(error?.code == .unavailable)
            #expect(counting.attempts == 4)
            let stats = try await server.stats()
            #expect(stats.flakyAttempts[write] == 1)
        }
    }

    /// Nothing listens: the transport fails with `unavailable`, promptly; an idempotent
    /// method is tried again up to the policy, a mutation without a key only once.
    @Test func unreachableServerIsUnavailable() async throws {
        let transport = try HTTP2ClientTransport(host: "127.0.0.1", port: try await closedPort(), logger: TestBackend.logger)
        let counting = CountingTransport(transport)
        let client = RPCClient(transport: counting, retryPolicy: Self.quick, logger: TestBackend.logger)
        let (read, readTime) = await measure {
            await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyRead, FlakyRequest(key: "k", failures: 0), options: .init(timeout: .seconds(30)))
            }
        }
        #expect(read?.code == .unavailable)
        // Promptly means long before the 30 s deadline, not a machine speed: a 2-core machine
        // running the whole suite took 7 s here once.
        #expect(readTime < .seconds(15), "a refused connection took \(readTime)")
        #expect(counting.attempts == Self.quick.maxAttempts)

        let (write, writeTime) = await measure {
            await #expect(throws: RPCError.self) {
                try await client.call(TestAPI.flakyWrite, FlakyRequest(key: "k", failures: 0), options: .init(timeout: .seconds(30)))
            }
        }
        #expect(write?.code == .unavailable)
        #expect(writeTime < .seconds(15))
        #expect(counting.attempts == Self.quick.maxAttempts + 1)
        await transport.close()
    }

    @Test("backoff stays within the exponential bound", arguments: 1...8)
    func backoffBound(_ attempt: Int) {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(50), maxBackoff: .seconds(2))
        let bound = min(Duration.milliseconds(50) * (1 << (attempt - 1)), .seconds(2))
        for _ in 0..<50 {
            let wait = policy.backoff(afterAttempt: attempt)
            #expect(wait >= .zero && wait <= bound, "attempt \(attempt): \(wait) > \(bound)")
        }
    }
}
