import Hummingbird
import HTTPTypes
import Messages
import NIOCore
import NIOSSL
import SwiftASN1
import X509

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
        let response = await dispatcher.handle(method: request.method, path: request.uri.path, headers: request.headers, peer: peer) { limit in
            do {
                return try await body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                throw RPCError(.resourceExhausted, "request body exceeds \(limit) bytes")
            }
        }
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: response.body))
    }

    /// Common name and DNS names of the client certificate of the connection `channel`
    /// (an HTTP/2 stream, whose parent holds the TLS handler) belongs to.
    static func peerIdentity(of channel: any Channel) async -> PeerIdentity? {
        let connection = channel.parent ?? channel
        guard let certificate = try? await connection.nioSSL_peerCertificate().get(),
              let der = try? certificate.toDERBytes(),
              let parsed = try? Certificate(derEncoded: der)
        else { return nil }
        var names = Set<String>()
        for rdn in parsed.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                names.insert(attribute.value.description)
            }
        }
        if let alternatives = try? parsed.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in alternatives { names.insert(name) }
        }
        return PeerIdentity(names: names)
    }
}
