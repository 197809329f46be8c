public import HTTPTypes
public import Logging
import Messages
public import Metrics
public import NIOCore
import Crypto
import Foundation
import Synchronization
import NIOPosix
import NIOFoundationCompat

/// A response as the transport sends it.
public struct RPCResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer
}

/// The transport-independent core of the server: routing, content type, deadline,
/// authentication, roles, body cap, decoding, idempotency, metrics and logs, in that order.
///
/// Every transport (Hummingbird's HTTP/2, the in-process one, a libnghttp2 engine) hands it
/// the request head and a way to read the body, and sends back what it returns.
public final class RPCDispatcher: Sendable {
    let router: RPCRouter
    let authenticator: (any Authenticator)?
    let idempotency: any IdempotencyStore
    let configuration: RPCServerConfiguration
    let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let metrics = CallMetrics()

    public init(
        router: RPCRouter, authenticator: (any Authenticator)?, idempotency: any IdempotencyStore,
        configuration: RPCServerConfiguration = .init(), logger: Logger
    ) {
        self.router = router
        self.authenticator = authenticator
        self.idempotency = idempotency
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves one call. `readBody(limit)` returns the whole body or throws
    /// `resource_exhausted` when it is longer than `limit` bytes.
    ///
    /// - Parameter executor: the event loop the engine runs the call's task on (see
    ///   ``EventLoopExecutor``); the handler's task and the deadline timer stay on it.
    public func handle(
        method httpMethod: HTTPRequest.Method, path: String, headers: HTTPFields, peer: PeerIdentity? = nil,
        executor: EventLoopExecutor? = nil, readBody: @escaping @Sendable (Int) async throws -> ByteBuffer
    ) async -> RPCResponse {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        let start = ContinuousClock.now
        let requestID = headers.value(.requestID).flatMap { Self.isPrintableToken($0) ? $0 : nil } ?? RandomID.uuid()
        let trace = (headers.value(.traceparent).flatMap(TraceContext.init(traceparent:))?.childSpan()) ?? .newTrace()
        let logger = CallLogHandler.logger(self.logger, requestID: requestID, traceID: trace.traceID, rpc: path)

        if draining.load(ordering: .relaxed) {
            // Not executed, so safe for any client to retry on another replica.
            return finish(.failure(RPCError(.unavailable, "server is shutting down")), metricLabel: "draining", start: start, requestID: requestID, logger: logger)
        }
        guard let route = router.route(for: path) else {
            return finish(.failure(RPCError(.unimplemented, "no method \(Self.printable(path))")), metricLabel: "unknown", start: start, requestID: requestID, logger: logger)
        }
        let label = route.descriptor.description
        guard httpMethod == .post else {
            var response = errorResponse(RPCError(.unimplemented, "only POST is supported"), requestID: requestID)
            response.status = .methodNotAllowed
            response.headers[.allow] = "POST"
            return response
        }
        guard Wire.isJSON(headers.value(.contentType)) else {
            var response = errorResponse(RPCError(.invalidArgument, "content-type must be application/json"), requestID: requestID)
            response.status = .unsupportedMediaType
            response.headers[HTTPField.Name("accept-post")!] = "application/json"
            metrics.requests(method: label, code: "unsupported_media_type").increment()
            return response
        }
        let result: Result<ByteBuffer, RPCError>
        var replayed = false
        do {
            guard let requested = Wire.timeout(fromHeader: headers.value(.connectTimeoutMs)) else {
                throw RPCError.invalidField("connect-timeout-ms", "must be 1 to 10 digits")
            }
            let budget = min(requested ?? configuration.maxCallDuration, configuration.maxCallDuration)
            let deadline = start.advanced(by: budget)
            let principal = try await authorise(route.descriptor, headers: headers, peer: peer)
            let idempotencyKey = route.descriptor.kind == .mutating ? headers.value(.idempotencyKey) : nil
            if let idempotencyKey, !(1...255).contains(idempotencyKey.utf8.count) || !Self.isPrintableToken(idempotencyKey) {
                throw RPCError.invalidField("idempotency-key", "must be 1 to 255 printable ASCII characters")
            }
            var callLogger = logger
            if let principal { callLogger.addCallField("caller", principal.subject) }
            let context = CallContext(
                method: route.descriptor, principal: principal, requestID: requestID, trace: trace,
                deadline: deadline, idempotencyKey: idempotencyKey, logger: callLogger)
            let output = try await Self.withDeadline(deadline, executor: executor) {
                let body = try await readBody(self.configuration.maxRequestBodyBytes)
                return try await self.invoke(route, body: body, context: context)
            }
            replayed = output.replayed
            result = .success(output.body)
        } catch let error as RPCError {
            result = .failure(error)
        } catch is CancellationError {
            result = .failure(RPCError(.canceled, "the call was canceled"))
        } catch {
            // Never echo an unknown error's text: it may carry data the caller must not see.
            logger.error("handler failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
            result = .failure(RPCError(.internal, "internal error (request id \(requestID))"))
        }
        var response = finish(result, metricLabel: label, start: start, requestID: requestID, logger: logger)
        if replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    private func invoke(_ route: RPCRouter.Route, body: ByteBuffer, context: CallContext) async throws -> (body: ByteBuffer, replayed: Bool) {
        guard let key = context.idempotencyKey else {
            return (try await CallContext.$current.withValue(context) { try await route.invoke(body, context) }, false)
        }
        // Decode first: a malformed body is refused before it can reserve the key.
        let canonical: Data
        do {
            canonical = try CanonicalJSON.canonicalize(Data(buffer: body))
        } catch {
            throw RPCError(.invalidArgument, "malformed JSON", details: [.fieldViolation("", "malformed JSON")])
        }
        // `|` never occurs in a method path, so path|subject is unambiguous (and, unlike NUL,
        // storable in PostgreSQL text).
        let scope = context.method.path + "|" + (context.principal?.subject ?? "")
        let digest = configuration.requestDigestKey.map { Digest(bytes: Array(HMAC<SHA256>.authenticationCode(for: canonical, using: $0)))! } ?? .sha256(canonical)
        switch try await idempotency.begin(scope: scope, key: key, requestDigest: digest) {
        case .replay(let stored):
            return (ByteBuffer(bytes: stored), true)
        case .conflict:
            throw RPCError(.failedPrecondition, "idempotency-key was already used with a different request")
        case .inProgress:
            throw RPCError(.aborted, "a call with this idempotency-key is in progress")
        case .proceed:
            do {
                let response = try await CallContext.$current.withValue(context) { try await route.invoke(body, context) }
                try await idempotency.complete(scope: scope, key: key, responseBody: Array(buffer: response))
                return (response, false)
            } catch {
                try? await idempotency.abandon(scope: scope, key: key)
                throw error
            }
        }
    }

    private func authorise(_ method: MethodDescriptor, headers: HTTPFields, peer: PeerIdentity?) async throws(RPCError) -> Principal? {
        var principal: Principal?
        if let authorization = headers.value(.authorization) {
            guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
                throw RPCError(.unauthenticated, "authorization must be 'Bearer <token>'")
            }
            guard let authenticator else { throw RPCError(.unauthenticated, "this server accepts no tokens") }
            principal = try await authenticator.authenticate(bearer: String(authorization.dropFirst(7)))
        }
        if case .roles = method.access, principal == nil {
            throw RPCError(.unauthenticated, "a bearer token is required")
        }
        guard method.access.admits(principal?.roles) else {
            throw RPCError(.permissionDenied, "\(method.name) is not allowed for roles \(principal.map { $0.roles.map(\.rawValue).sorted().joined(separator: ",") } ?? "")")
        }
        if let principal, principal.has(.service), configuration.requireServiceIdentityMatch {
            guard let peer, peer.names.contains(principal.subject) else {
                throw RPCError(.permissionDenied, "the client certificate does not name the token's subject")
            }
        }
        return principal
    }

    private func finish(_ result: Result<ByteBuffer, RPCError>, metricLabel: String, start: ContinuousClock.Instant, requestID: String, logger: Logger) -> RPCResponse {
        let elapsed = start.duration(to: .now)
        let code: String
        let response: RPCResponse
        switch result {
        case .success(let body):
            code = "ok"
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.requestID] = requestID
            response = RPCResponse(status: .ok, headers: headers, body: body)
        case .failure(let error):
            code = error.code.rawValue
            response = errorResponse(error, requestID: requestID)
            let level: Logger.Level = [.internal, .unknown, .dataLoss].contains(error.code) ? .error : .info
            logger.log(level: level, "call refused", metadata: ["code": .string(code), "duration_ms": .stringConvertible(elapsed.milliseconds)])
        }
        metrics.requests(method: metricLabel, code: code).increment()
        metrics.duration(method: metricLabel).record(elapsed)
        return response
    }

    private func errorResponse(_ error: RPCError, requestID: String) -> RPCResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        return RPCResponse(status: .init(code: error.code.httpStatus), headers: headers, body: JSONWire.errorBody(error))
    }

    /// Calls being served right now.
    public var callsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Graceful shutdown, first step: refuse new calls with `unavailable` (which clients may
    /// retry elsewhere), then wait for the calls already running (``waitUntilIdle(deadline:)``).
    public func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Returns once no call is in flight, or at `deadline`.
    public func waitUntilIdle(deadline: ContinuousClock.Instant) async {
        while callsInFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `body`, cancelling it at `deadline`; a call still running then fails with
    /// `deadline_exceeded`, also if the body ignored the cancellation and finished anyway.
    /// The caller's cancellation reaches the body too.
    ///
    /// With an `executor` whose loop runs the calling task (the nghttp2 engine starts one task
    /// per call with that executor as its preference), the body runs in the calling task
    /// itself and the deadline is a scheduled callback on the same loop that cancels that
    /// task: no second task and no thread switch per call. Otherwise the body gets a task of
    /// its own that the timer cancels, so the caller's task (a framework's request task)
    /// is never cancelled by the dispatcher.
    static func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, executor: EventLoopExecutor? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded before the call started") }
        let expired = OnceFlag()
        let delay = TimeAmount.nanoseconds(remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
        if let loop = executor?.eventLoop, loop.inEventLoop,
           let canceller = withUnsafeCurrentTask(body: { $0.map { TaskCanceller($0, loop: loop) } }) {
            let timer = try? loop.scheduleCallback(in: delay, handler: DeadlineCallback(expired: expired, task: canceller))
            guard let timer else { throw RPCError(.unavailable, "server is shutting down") }
            // Both run on this loop's thread. Cancelling the callback is not enough: the loop
            // may already have taken it out of its queue to run in the same tick as the job
            // that resumed this task, so the canceller is disarmed before the task can end.
            defer {
                canceller.disarm()
                timer.cancel()
            }
            return try await Self.value(of: body, expired: expired)
        }
        let work = Task(executorPreference: executor) { try await body() }
        let loop = executor?.eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let timer = loop.scheduleTask(in: delay) {
            expired.set()
            work.cancel()
        }
        defer { timer.cancel() }
        return try await Self.value(of: { try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() } }, expired: expired)
    }

    private static func value<T>(of body: () async throws -> T, expired: OnceFlag) async throws -> T {
        let value: T
        do {
            value = try await body()
        } catch {
            if expired.isSet { throw RPCError(.deadlineExceeded, "deadline exceeded") }
            throw error
        }
        if expired.isSet { throw RPCError(.deadlineExceeded, "deadline exceeded") }
        return value
    }

    static func isPrintableToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255 && text.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7e }
    }

    /// A caller-supplied string made safe to echo in a message or a log line.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(120).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

extension Metrics.Timer {
    /// Records a `Duration` (swift-metrics takes nanoseconds or a DispatchTime).
    public func record(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}

/// The dispatcher's metric handles, made once per method and code: asking swift-metrics
/// for a `Counter` and a `Timer` on every call (a registry lookup under a lock, the label
/// and dimension arrays built each time) showed in the server's profile.
final class CallMetrics: Sendable {
    private struct Key: Hashable {
        let method: String
        let code: String
    }
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    func requests(method: String, code: String) -> Counter {
        Self.cached(Key(method: method, code: code), in: counters) {
            Counter(label: "rpc_server_requests_total", dimensions: [("method", method), ("code", code)])
        }
    }

    func duration(method: String) -> Metrics.Timer {
        Self.cached(method, in: timers) {
            Metrics.Timer(label: "rpc_server_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
        }
    }

    /// The handle for `key`, made outside the lock the first time (swift-metrics' factory
    /// takes its own); a handle made twice by a race is dropped for the one stored first.
    private static func cached<K: Hashable & Sendable, V: Sendable>(_ key: K, in cache: borrowing Mutex<[K: V]>, make: () -> V) -> V {
        if let value = cache.withLock({ $0[key] }) { return value }
        let made = make()
        return cache.withLock { values in
            if let existing = values[key] { return existing }
            values[key] = made
            return made
        }
    }
}

/// A flag set once from any thread and read from any other: a call's deadline expired, a
/// connection got the server's GOAWAY.
final class OnceFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Cancels the task that made it, until disarmed.
///
/// `@unchecked Sendable`: an `UnsafeCurrentTask` must not be used once its task has ended.
/// The canceller is touched only on `loop`'s thread — by the deadline callback, and by the
/// task itself, which runs there and disarms it before it can end — so a callback that runs
/// late finds it disarmed (checked in debug builds).
private final class TaskCanceller: @unchecked Sendable {
    private var task: UnsafeCurrentTask?
    private let loop: any EventLoop

    init(_ task: UnsafeCurrentTask, loop: any EventLoop) {
        self.task = task
        self.loop = loop
    }

    func cancel() {
        loop.assertInEventLoop()
        task?.cancel()
    }

    func disarm() {
        loop.assertInEventLoop()
        task = nil
    }
}

/// The deadline of a call served in its engine's task: marks the call expired and cancels it.
private struct DeadlineCallback: NIOScheduledCallbackHandler, Sendable {
    let expired: OnceFlag
    let task: TaskCanceller
    func handleScheduledCallback(eventLoop: some EventLoop) {
        expired.set()
        task.cancel()
    }
}

extension HTTPFields {
    /// `self[name]` — the value of the field `name`, several such fields joined by ", " —
    /// without building a new string for the usual single field (HTTPTypes' subscript joins
    /// even one value, which showed in the server's profile at six lookups per call).
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
