import Foundation
import HTTPTypes
public import Logging
public import Messages
import Metrics
public import NIOCore
import NIOFoundationCompat

/// Options of one call.
public struct CallOptions: Sendable {
    /// How long to wait; the client's default when nil. Inside a handler the remaining
    /// budget of the incoming call caps it.
    public var timeout: Duration?
    /// Makes a mutating call safe to repeat (and so to retry).
    public var idempotencyKey: String?
    /// A token for this call instead of the client's provider.
    public var token: String?

    public init(timeout: Duration? = nil, idempotencyKey: String? = nil, token: String? = nil) {
        self.timeout = timeout
        self.idempotencyKey = idempotencyKey
        self.token = token
    }
}

/// Calls methods of one service through their descriptors:
///
/// ```swift
/// let receipt = try await intake.call(IntakeAPI.submitApplication, request,
///                                     options: .init(idempotencyKey: key))
/// ```
///
/// Every call has a deadline and sends what is left of it; inside a handler the deadline,
/// trace and request id of the incoming call carry over. A server's error arrives as the
/// same ``RPCError``. Retries follow ``RetryPolicy``.
public struct RPCClient: Sendable {
    let transport: any ClientTransport
    let tokenProvider: (any TokenProvider)?
    let defaultTimeout: Duration
    let retryPolicy: RetryPolicy
    let logger: Logger

    public init(
        transport: any ClientTransport, tokenProvider: (any TokenProvider)? = nil,
        defaultTimeout: Duration = .seconds(10), retryPolicy: RetryPolicy = .default,
        logger: Logger = Logger(label: "tender.rpc.client")
    ) {
        self.transport = transport
        self.tokenProvider = tokenProvider
        self.defaultTimeout = defaultTimeout
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    public func call<Request, Response>(
        _ method: Method<Request, Response>, _ request: Request, options: CallOptions = .init()
    ) async throws(RPCError) -> Response {
        let body = try JSONWire.encode(request)
        let responseBody = try await call(method.descriptor, body: body, options: options)
        do {
            return try JSONWire.decode(Response.self, from: responseBody)
        } catch {
            throw RPCError(.internal, "the response of \(method.descriptor) could not be decoded")
        }
    }

    /// Calls with an already-encoded body and returns the raw response body (for tools
    /// such as `tenderctl call` that pass JSON through).
    public func call(_ method: MethodDescriptor, body: ByteBuffer, options: CallOptions = .init()) async throws(RPCError) -> ByteBuffer {
        let inherited = CallContext.current
        var deadline = ContinuousClock.now.advanced(by: options.timeout ?? defaultTimeout)
        if let outer = inherited?.deadline, outer < deadline { deadline = outer }

        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.connectProtocolVersion] = "1"
        headers[.traceparent] = (inherited?.trace.childSpan() ?? .newTrace()).traceparent
        if let requestID = inherited?.requestID { headers[.requestID] = requestID }
        if method.kind == .mutating, let key = options.idempotencyKey { headers[.idempotencyKey] = key }
        do {
            if let token = options.token {
                headers[.authorization] = "Bearer \(token)"
            } else if let tokenProvider {
                headers[.authorization] = "Bearer \(try await tokenProvider.token())"
            }
        } catch {
            throw RPCError(.unauthenticated, "no token to call \(method): \(error)")
        }
        let retriable = method.kind == .idempotent || options.idempotencyKey != nil
        var attempt = 1
        while true {
            headers[.connectTimeoutMs] = Wire.timeoutHeader(until: deadline)
            let result = await attemptCall(ClientRequest(path: method.path, headers: headers, body: body, deadline: deadline))
            switch result {
            case .success(let body):
                return body
            case .failure(let error):
                let backoff = retryPolicy.backoff(afterAttempt: attempt)
                guard error.code == .unavailable, retriable, attempt < retryPolicy.maxAttempts,
                      ContinuousClock.now.advanced(by: backoff) < deadline, !Task.isCancelled
                else { throw error }
                Counter(label: "rpc_client_retries_total", dimensions: [("method", method.description)]).increment()
                logger.debug("retrying", metadata: ["rpc": .string(method.description), "attempt": .stringConvertible(attempt + 1)])
                try? await Task.sleep(for: backoff)
                attempt += 1
            }
        }
    }

    private func attemptCall(_ request: ClientRequest) async -> Result<ByteBuffer, RPCError> {
        let response: ClientResponse
        do {
            guard request.deadline > .now else { return .failure(RPCError(.deadlineExceeded, "deadline exceeded")) }
            response = try await transport.send(request)
        } catch let error as RPCError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(RPCError(.canceled, "the call was canceled"))
        } catch {
            return .failure(RPCError(.unavailable, "transport failed: \(error)"))
        }
        if response.status == 200 { return .success(response.body) }
        if Wire.isJSON(response.headers[.contentType]),
           let error = try? JSONWire.decode(RPCError.self, from: response.body) {
            return .failure(error)
        }
        return .failure(RPCError(ErrorCode(httpStatus: response.status), "HTTP \(response.status) without a Connect error body"))
    }
}
