import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import Testing
import TestServiceKit

/// `idempotency-key` (DESIGN.md §2): a repeat with the same key returns the first result
/// and changes nothing, also after a restart; the same key with another body is refused.
@Suite("Idempotency over HTTP/2")
struct IdempotencyTests {
    @Test func repeatReplaysTheFirstResponse() async throws {
        try await withTestServer { server in
            let key = uniqueKey("put")
            let headers = jsonHeaders(token: try await server.token(.officer), ("idempotency-key", uniqueKey("idem")))
            let body = try json(PutRequest(key: key, value: "first"))
            let first = try await server.transport.raw(TestAPI.put, body: body, headers: headers)
            let second = try await server.transport.raw(TestAPI.put, body: body, headers: headers)
            #expect(first.status == 200, "\(first.text)")
            #expect(second.status == 200, "\(second.text)")
            #expect(try first.decode(PutResponse.self) == PutResponse(key: key, executions: 1))
            #expect(second.text == first.text)
            #expect(first.header("idempotent-replayed") == nil)
            #expect(second.header("idempotent-replayed") == "true")
            #expect(second.header("content-type") == "application/json")
            #expect(try await server.stored(key) == GetResponse(value: "first", executions: 1))
        }
    }

    /// The digest is of the canonical JSON: key order and spacing do not make a new request.
    @Test func equivalentJSONReplays() async throws {
        try await withTestServer { server in
            let key = uniqueKey("put")
            let headers = jsonHeaders(token: try await server.token(.officer), ("idempotency-key", uniqueKey("idem")))
            let first = try await server.transport.raw(TestAPI.put, body: #"{"key":"\#(key)","value":"v"}"#, headers: headers)
            let second = try await server.transport.raw(TestAPI.put, body: #"{ "value" : "v",  "key" : "\#(key)" }"#, headers: headers)
            #expect(second.status == 200, "\(second.text)")
            #expect(second.text == first.text)
            #expect(second.header("idempotent-replayed") == "true")
            #expect(try await server.stored(key).executions == 1)
        }
    }

    @Test func sameKeyWithAnotherBodyIsFailedPrecondition() async throws {
        try await withTestServer { server in
            let key = uniqueKey("put")
            let headers = jsonHeaders(token: try await server.token(.officer), ("idempotency-key", uniqueKey("idem")))
            let first = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "first")), headers: headers)
            #expect(first.status == 200)
            let other = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "second")), headers: headers)
            expectRefusal(other, .failedPrecondition)
            #expect(other.header("idempotent-replayed") == nil)
            #expect(try await server.stored(key) == GetResponse(value: "first", executions: 1))
        }
    }

    @Test func anotherKeyRunsAgain() async throws {
        try await withTestServer { server in
            let client = server.client(token: try await server.token(.officer))
            let request = PutRequest(key: uniqueKey("put"), value: "v")
            let first = try await client.call(TestAPI.put, request, options: .init(idempotencyKey: uniqueKey("idem")))
            let second = try await client.call(TestAPI.put, request, options: .init(idempotencyKey: uniqueKey("idem")))
            let third = try await client.call(TestAPI.put, request)
            #expect([first.executions, second.executions, third.executions] == [1, 2, 3] as [Int])
        }
    }

    /// A key belongs to the caller: another subject's call with the same key is its own.
    @Test func keysAreScopedToTheCaller() async throws {
        try await withTestServer { server in
            let idem = uniqueKey("idem")
            let request = PutRequest(key: uniqueKey("put"), value: "v")
            let alice = try await server.client(token: try await server.token(.officer, subject: "alice"))
                .call(TestAPI.put, request, options: .init(idempotencyKey: idem))
            let bob = try await server.client(token: try await server.token(.officer, subject: "bob"))
                .call(TestAPI.put, request, options: .init(idempotencyKey: idem))
            #expect(alice.executions == 1)
            #expect(bob.executions == 2)
        }
    }

    /// A refused call does not use up its key: once the request is right, the key works.
    @Test func failedCallReleasesItsKey() async throws {
        try await withTestServer { server in
            let key = uniqueKey("put")
            let headers = jsonHeaders(token: try await server.token(.officer), ("idempotency-key", uniqueKey("idem")))
            let refused = try await server.transport.raw(TestAPI.put, body: #"{"key":"\#(key)"}"#, headers: headers)
            expectRefusal(refused, .invalidArgument, fieldPath: "value")
            let accepted = try await server.transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "v")), headers: headers)
            #expect(accepted.status == 200, "\(accepted.text)")
            #expect(accepted.header("idempotent-replayed") == nil)
            #expect(try await server.stored(key).executions == 1)
        }
    }

    @Test func keyOnAnIdempotentMethodIsIgnored() async throws {
        try await withTestServer { server in
            let headers = jsonHeaders(("idempotency-key", uniqueKey("idem")))
            let first = try await server.transport.raw(TestAPI.flakyRead, body: try json(FlakyRequest(key: "r", failures: 0)), headers: headers)
            let second = try await server.transport.raw(TestAPI.flakyRead, body: try json(FlakyRequest(key: "r", failures: 0)), headers: headers)
            #expect(try first.decode(FlakyResponse.self).attempts == 1)
            #expect(try second.decode(FlakyResponse.self).attempts == 2)
            #expect(second.header("idempotent-replayed") == nil)
        }
    }
}

/// The replay survives a restart of the service process (the keys live in its SQLite file).
@Suite("Idempotency across a restart", .serialized, .timeLimit(.minutes(3)))
struct IdempotencyRestartTests {
    @Test func replayAfterRestart() async throws {
        try await withTestEnvironment { environment in
            let officer = try await environment.token(.officer)
            let key = uniqueKey("put")
            let body = try json(PutRequest(key: key, value: "before restart"))
            let headers = jsonHeaders(token: officer, ("idempotency-key", uniqueKey("idem")))
            let first = try await withServiceProcess(environment, name: "idem") { process in
                let transport = try HTTP2ClientTransport(url: process.url, logger: TestBackend.logger)
                let response = try await transport.raw(TestAPI.put, body: body, headers: headers)
                await transport.close()
                return response
            }
            #expect(first.status == 200, "\(first.text)")
            #expect(try first.decode(PutResponse.self).executions == 1)
            try await withServiceProcess(environment, name: "idem") { process in
                let transport = try HTTP2ClientTransport(url: process.url, logger: TestBackend.logger)
                let again = try await transport.raw(TestAPI.put, body: body, headers: headers)
                #expect(again.status == 200, "\(again.text)")
                #expect(again.text == first.text)
                #expect(again.header("idempotent-replayed") == "true")
                let conflicting = try await transport.raw(TestAPI.put, body: try json(PutRequest(key: key, value: "after restart")), headers: headers)
                expectRefusal(conflicting, .failedPrecondition)
                let stored = try await process.client(token: officer).call(TestAPI.get, GetRequest(key: key))
                #expect(stored == GetResponse(value: "before restart", executions: 1))
                await transport.close()
            }
        }
    }
}

/// The store contract, for the in-memory store and ServiceKit's SQL one alike.
@Suite("Idempotency stores")
struct IdempotencyStoreTests {
    enum StoreKind: String, CaseIterable, Sendable { case memory, sqlite }

    func withStore(_ kind: StoreKind, staleAfter: Duration = .seconds(120), _ body: (any IdempotencyStore) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(InMemoryIdempotencyStore())
        case .sqlite:
            let environment = try TestEnvironment(name: "idem-store")
            defer { environment.remove() }
            let database = try await Database.sqlite(path: environment.directory + "/store.sqlite", logger: TestBackend.logger)
            do {
                try await database.migrateServiceKit()
                try await body(SQLIdempotencyStore(database: database, staleAfter: staleAfter))
            } catch {
                try? await database.close()
                throw error
            }
            try await database.close()
        }
    }

    @Test(arguments: StoreKind.allCases)
    func lifecycle(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = Digest.sha256(Data("a".utf8))
            let b = Digest.sha256(Data("b".utf8))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .proceed)
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .inProgress)
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: b) == .conflict)
            try await store.complete(scope: "s", key: "k", responseBody: Array(#"{"ok":true}"#.utf8))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .replay(responseBody: Array(#"{"ok":true}"#.utf8)))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: b) == .conflict)
            // A completed key is not released by a late abandon.
            try await store.abandon(scope: "s", key: "k")
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .replay(responseBody: Array(#"{"ok":true}"#.utf8)))
            // Scopes are separate.
            #expect(try await store.begin(scope: "t", key: "k", requestDigest: b) == .proceed)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func abandonedKeyMayRunAgain(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = Digest.sha256(Data("a".utf8))
            let b = Digest.sha256(Data("b".utf8))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .proceed)
            try await store.abandon(scope: "s", key: "k")
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: b) == .proceed)
        }
    }

    /// A reservation whose process died is taken over after `staleAfter`.
    @Test func staleReservationIsTakenOver() async throws {
        try await withStore(.sqlite, staleAfter: .zero) { store in
            let a = Digest.sha256(Data("a".utf8))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .proceed)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await store.begin(scope: "s", key: "k", requestDigest: a) == .proceed)
        }
    }
}
