import Hummingbird
import HTTPTypes
import Messages
import NIOCore
public import NIOSSL
import SwiftASN1
import X509
import Synchronization

/// Hands every request Hummingbird receives to the ``RPCDispatcher``.
struct RPCResponder: HTTPResponder {
    typealias Context = RPCRequestContext
    let dispatcher: RPCDispatcher
    let readsPeerCertificate: Bool
    let connections: ConnectionRegistry?

    func respond(to request: Request, context: RPCRequestContext) async throws -> Response {
        connections?.track(context.channel.parent ?? context.channel)
        let peer = readsPeerCertificate ? await Self.peerIdentity(of: context.channel) : nil
        let body = request.body
        let dispatcher = self.dispatcher
        let stream = context.channel
        // A caller that gives up resets its stream: the handler is cancelled then, rather than
        // working on for an answer nobody will read.
        return await withTaskGroup(of: Response?.self) { group in
            group.addTask {
                let response = await dispatcher.handle(method: request.method, path: request.uri.path, headers: request.headers, peer: peer) { limit in
                    do {
                        return try await body.collect(upTo: limit)
                    } catch is NIOTooManyBytesError {
                        throw RPCError(.resourceExhausted, "request body exceeds \(limit) bytes")
                    }
                }
                return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: response.body))
            }
            group.addTask {
                await Self.closed(stream)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            // Closed first: nobody reads this answer; 499 is Connect's "canceled".
            return first ?? Response(status: .init(code: 499))
        }
    }

    /// Returns when `channel` closes, or when the calling task is cancelled.
    static func closed(_ channel: any Channel) async {
        let waiter = ClosedWaiter()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.set(continuation)
                channel.closeFuture.whenComplete { _ in waiter.resume() }
            }
        } onCancel: {
            waiter.resume()
        }
    }

    /// The identity in the client certificate of the connection `channel` (an HTTP/2
    /// stream, whose parent holds the TLS handler) belongs to.
    static func peerIdentity(of channel: any Channel) async -> PeerIdentity? {
        let connection = channel.parent ?? channel
        guard let certificate = try? await connection.nioSSL_peerCertificate().get() else { return nil }
        return PeerIdentity(certificate: certificate)
    }
}

extension PeerIdentity {
    /// The common name and DNS names of a client certificate; nil when it cannot be parsed.
    public init?(certificate: NIOSSLCertificate) {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var names = Set<String>()
        for rdn in parsed.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                names.insert(attribute.value.description)
            }
        }
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in alternatives { names.insert(name) }
        }
        self.init(names: names)
    }
}

/// Resumes a continuation exactly once, from whichever comes first.
final class ClosedWaiter: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, resumed: Bool)>((nil, false))

    func set(_ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow = state.withLock { state in
            if state.resumed { return true }
            state.continuation = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    func resume() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.resumed = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }
}
