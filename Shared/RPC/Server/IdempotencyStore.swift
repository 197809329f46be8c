public import Messages

/// Remembers the first response to each idempotency key, so that a repeated mutating call
/// returns it again and changes nothing (DESIGN.md §2).
///
/// A key is scoped to the method and the caller's subject. The store must be durable in
/// production — ServiceKit's implementation keeps it with the service's data, so a repeat
/// after a restart still replays.
public protocol IdempotencyStore: Sendable {
    /// Reserves `key` for a call whose canonical request body digests to `requestDigest`.
    func begin(scope: String, key: String, requestDigest: Digest) async throws -> IdempotencyDecision
    /// Stores the response of the call that reserved the key.
    func complete(scope: String, key: String, responseBody: [UInt8]) async throws
    /// Releases a reservation whose call failed, so a retry may run it again.
    func abandon(scope: String, key: String) async throws
}

public enum IdempotencyDecision: Sendable, Equatable {
    /// First use of the key: run the handler.
    case proceed
    /// The key was used before with the same body: send this response again.
    case replay(responseBody: [UInt8])
    /// The key was used before with a different body.
    case conflict
    /// A call with the key is running right now.
    case inProgress
}

/// An in-memory store, for tests and tools; forgets everything on restart.
public actor InMemoryIdempotencyStore: IdempotencyStore {
    private enum Entry { case running(Digest), done(Digest, [UInt8]) }
    private var entries: [String: Entry] = [:]

    public init() {}

    public func begin(scope: String, key: String, requestDigest: Digest) -> IdempotencyDecision {
        let id = scope + "\u{0}" + key
        switch entries[id] {
        case nil:
            entries[id] = .running(requestDigest)
            return .proceed
        case .running(let digest):
            return digest == requestDigest ? .inProgress : .conflict
        case .done(let digest, let body):
            return digest == requestDigest ? .replay(responseBody: body) : .conflict
        }
    }

    public func complete(scope: String, key: String, responseBody: [UInt8]) {
        let id = scope + "\u{0}" + key
        if case .running(let digest) = entries[id] { entries[id] = .done(digest, responseBody) }
    }

    public func abandon(scope: String, key: String) {
        let id = scope + "\u{0}" + key
        if case .running = entries[id] { entries[id] = nil }
    }
}
