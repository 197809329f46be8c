import Foundation
import Messages
import RPC
import Testing
import TestServiceKit

/// Deadlines (DESIGN.md §2): the server enforces `connect-timeout-ms` by cancelling the
/// handler — not by answering early and leaving it running — and passes what is left of the
/// budget on to the calls the handler makes.
///
/// Sleeps are far longer than any bound checked, so a handler that is not cancelled shows
/// up as `sleepsFinished` or as a slow answer, never as a lucky pass on a slow machine.
@Suite("Deadlines")
struct DeadlineTests {
    @Test func clientTimeoutCancelsTheHandler() async throws {
        try await withTestServer { server in
            // Connect first, so the budget is the call's and not the TCP and HTTP/2 set-up's.
            // 5 s, not less: on a loaded 2-core machine a call has taken over 300 ms just to
            // reach its handler, and a call reset before dispatch leaves nothing to cancel.
            try await server.warmUp()
            let (result, elapsed) = await measure {
                await #expect(throws: RPCError.self) {
                    try await server.client().call(TestAPI.sleep, SleepRequest(milliseconds: 60_000), options: .init(timeout: .seconds(5)))
                }
            }
            #expect(result?.code == .deadlineExceeded)
            #expect(elapsed < .seconds(30), "a 5 s deadline took \(elapsed)")
            let stats = try await eventually({ try await server.stats() }, until: { $0.sleepsCancelled == 1 })
            #expect(stats.sleepsStarted == 1)
            #expect(stats.sleepsCancelled == 1, "the handler was left running")
            #expect(stats.sleepsFinished == 0)
        }
    }

    /// The server's own deadline, with a client that would wait much longer: the answer is
    /// the server's `deadline_exceeded` (HTTP 504), not a client-side timeout.
    @Test func serverEnforcesTheTimeoutHeader() async throws {
        try await withTestServer { server in
            let (response, elapsed) = try await measure {
                try await server.transport.raw(
                    TestAPI.sleep, body: try json(SleepRequest(milliseconds: 60_000)),
                    headers: jsonHeaders(("connect-timeout-ms", "3000")), timeout: .seconds(50))
            }
            // 3 s: time enough for the handler to start on a loaded machine, so that there is
            // a sleep to cancel; far below the 60 s the sleep would take.
            expectRefusal(response, .deadlineExceeded)
            #expect(elapsed < .seconds(30), "a 3 s deadline took \(elapsed)")
            let stats = try await eventually({ try await server.stats() }, until: { $0.sleepsCancelled == 1 })
            #expect(stats.sleepsCancelled == 1)
            #expect(stats.sleepsFinished == 0)
        }
    }

    /// `maxCallDuration` bounds calls that bring no deadline, and caps one that asks for more.
    @Test("the server's maximum call duration caps every call", arguments: [String?.none, "600000"])
    func maxCallDuration(header: String?) async throws {
        try await withTestServer(configuration: RPCServerConfiguration(maxCallDuration: .seconds(1))) { server in
            var headers = jsonHeaders()
            if let header { headers.append(("connect-timeout-ms", header)) }
            let (response, elapsed) = try await measure {
                try await server.transport.raw(TestAPI.sleep, body: try json(SleepRequest(milliseconds: 60_000)), headers: headers, timeout: .seconds(30))
            }
            expectRefusal(response, .deadlineExceeded)
            #expect(elapsed < .seconds(20), "a 1 s cap took \(elapsed)")
            let stats = try await eventually({ try await server.stats() }, until: { $0.sleepsCancelled == 1 })
            #expect(stats.sleepsCancelled == 1)
            #expect(stats.lastSleepBudgetMs.map { $0 <= 1000 } == true, "budget \(String(describing: stats.lastSleepBudgetMs))")
        }
    }

    /// A caller that gives up before its deadline resets the stream; the server stops the
    /// work nobody waits for (`RPCResponder` watches the stream and cancels the handler).
    @Test func callerThatGivesUpCancelsTheHandler() async throws {
        try await withTestServer { server in
            let body = try json(SleepRequest(milliseconds: 60_000))
            let call = Task {
                try await server.transport.raw(TestAPI.sleep, body: body, headers: jsonHeaders(("connect-timeout-ms", "60000")), timeout: .seconds(90))
            }
            // Give up only once the handler runs, however slow the machine is to get there.
            let started = try await eventually(timeout: .seconds(20), { try await server.stats() }, until: { $0.sleepsStarted == 1 })
            #expect(started.sleepsStarted == 1)
            call.cancel()
            let (response, waited) = await measure { try? await call.value }
            #expect(response == nil, "the call should have ended when its caller gave up")
            #expect(waited < .seconds(20))
            let stats = try await eventually({ try await server.stats() }, until: { $0.sleepsCancelled == 1 })
            #expect(stats.sleepsCancelled == 1, "the handler was left running after the caller left")
            #expect(stats.sleepsFinished == 0)
        }
    }

    @Test func handlerSeesTheBudgetItWasGiven() async throws {
        try await withTestServer { server in
            let response = try await server.transport.raw(
                TestAPI.sleep, body: try json(SleepRequest(milliseconds: 1)), headers: jsonHeaders(("connect-timeout-ms", "4000")))
            #expect(response.status == 200, "\(response.text)")
            let stats = try await server.stats()
            #expect(stats.sleepsFinished == 1)
            #expect(stats.sleepsCancelled == 0)
            let budget = try #require(stats.lastSleepBudgetMs)
            #expect(budget > 0 && budget <= 4000, "budget \(budget)")
        }
    }

    @Test func callWithinItsDeadlineFinishes() async throws {
        try await withTestServer { server in
            let response = try await server.client().call(TestAPI.sleep, SleepRequest(milliseconds: 50), options: .init(timeout: .seconds(20)))
            #expect(response.slept == 50)
            let stats = try await server.stats()
            #expect(stats.sleepsFinished == 1)
            #expect(stats.sleepsCancelled == 0)
        }
    }

    /// Two hops in one process: A's `Relay` calls B's `Sleep` through the in-process transport.
    @Test func remainingBudgetIsPassedOnInProcess() async throws {
        try await withTestBackend { downstream in
            try await withTestBackend(downstream: downstream.client()) { upstream in
                let (result, elapsed) = await measure {
                    await #expect(throws: RPCError.self) {
                        try await upstream.client().call(TestAPI.relay, SleepRequest(milliseconds: 60_000), options: .init(timeout: .milliseconds(3000)))
                    }
                }
                #expect(result?.code == .deadlineExceeded)
                #expect(elapsed < .seconds(20), "a 3 s deadline took \(elapsed)")
                let stats = try await eventually({ try await downstream.stats() }, until: { $0.sleepsCancelled == 1 })
                #expect(stats.sleepsStarted == 1)
                #expect(stats.sleepsCancelled == 1)
                #expect(stats.sleepsFinished == 0)
                let budget = try #require(stats.lastSleepBudgetMs, "the downstream call carried no deadline")
                #expect(budget > 0 && budget <= 3000, "downstream budget \(budget) ms")
            }
        }
    }
}

/// The same over real processes and real HTTP/2: `tender-testservice` A relays to B.
@Suite("Deadlines between processes", .serialized, .timeLimit(.minutes(3)))
struct ProcessDeadlineTests {
    @Test func remainingBudgetIsPassedOnAcrossProcesses() async throws {
        try await withTestEnvironment { environment in
            try await withServiceProcess(environment, name: "b") { b in
                try await withServiceProcess(environment, name: "a", extra: ["TESTSERVICE_DOWNSTREAM_URL": b.url]) { a in
                    // A short relay first: A connects to B before the 3 s budget starts. (3 s, not less:
                    // on a busy 2-core machine A may need over a second just to pass the call on.)
                    _ = try await a.client().call(TestAPI.relay, SleepRequest(milliseconds: 1))
                    let (result, elapsed) = try await measure {
                        let client = try a.client()
                        return await #expect(throws: RPCError.self) {
                            try await client.call(TestAPI.relay, SleepRequest(milliseconds: 60_000), options: .init(timeout: .milliseconds(3000)))
                        }
                    }
                    #expect(result?.code == .deadlineExceeded)
                    #expect(elapsed < .seconds(25), "a 3 s deadline took \(elapsed)")
                    let stats = try await eventually(timeout: .seconds(15), { try await b.stats() }, until: { $0.sleepsCancelled == 1 })
                    #expect(stats.sleepsStarted == 2, "B never got the call: \(stats)")
                    #expect(stats.sleepsCancelled == 1, "B's sleep was left running")
                    #expect(stats.sleepsFinished == 1, "only the warm-up relay may finish")
                    let budget = try #require(stats.lastSleepBudgetMs, "B's call carried no deadline")
                    #expect(budget > 0 && budget <= 3000, "B's budget \(budget) ms")
                }
            }
        }
    }
}
