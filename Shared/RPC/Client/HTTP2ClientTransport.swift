import Foundation
import HTTPTypes
public import Logging
import Messages
public import NIOCore
import NIOHPACK
import NIOHTTP2
public import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP/2 client transport on SwiftNIO's NIOHTTP2: a small pool of connections to one
/// target, each carrying many concurrent streams; h2c with prior knowledge or TLS/ALPN.
///
/// A broken connection is replaced on the next call; after a failed connect the slot waits
/// out an exponential backoff (capped at ``maxReconnectBackoff``) and calls fail fast with
/// `unavailable` meanwhile, which the call layer may retry.
public final class HTTP2ClientTransport: ReplicaTransport {
    public let host: String
    public let port: Int
    let tls: NIOSSLContext?
    let serverHostname: String?
    let group: any EventLoopGroup
    let pool: ConnectionPool
    let authority: String

    public init(
        host: String, port: Int, tls: ClientTLS? = nil, connections: Int = 2,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maxReconnectBackoff: Duration = .seconds(5), logger: Logger = Logger(label: "tender.rpc.http2-client")
    ) throws {
        self.host = host
        self.port = port
        self.tls = try tls?.makeContext()
        self.serverHostname = tls?.serverName(for: host)
        self.group = group
        self.authority = "\(host):\(port)"
        self.pool = ConnectionPool(size: max(1, connections), maxBackoff: maxReconnectBackoff, logger: logger)
    }

    /// Parses `http://host:port` (h2c) or `https://host:port` (TLS) into a transport.
    public convenience init(url: String, tls: ClientTLS? = nil, connections: Int = 2, logger: Logger = Logger(label: "tender.rpc.http2-client")) throws {
        guard let components = URLComponents(string: url), let host = components.host,
              let scheme = components.scheme, scheme == "http" || scheme == "https"
        else { throw RPCError(.invalidArgument, "not an http(s) URL: \(url)") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        try self.init(host: host, port: port, tls: scheme == "https" ? (tls ?? ClientTLS()) : nil, connections: connections, logger: logger)
    }

    /// Sends `request`; one that never left this process (no connection could be had, or no
    /// stream opened on it) throws ``UndeliveredRequest``, so that ``BalancedClientTransport``
    /// may hand it to another replica whatever the method.
    public func deliver(_ request: ClientRequest) async throws -> ClientResponse {
        try await RPCDispatcher.withDeadline(request.deadline) {
            let connection: Connection
            do {
                connection = try await self.pool.connection { try await self.connect() }
            } catch let error as RPCError where error.code == .unavailable {
                throw UndeliveredRequest(error: error)
            }
            do {
                return try await self.exchange(request, on: connection)
            } catch let undelivered as UndeliveredRequest {
                await self.pool.discard(connection)
                throw undelivered
            } catch let error as RPCError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The stream or connection broke before a response: the request may not have
                // reached the handler. Only the call layer knows whether a retry is safe.
                await self.pool.discard(connection)
                throw RPCError(.unavailable, "connection to \(self.authority) failed: \(error)")
            }
        }
    }

    /// Closes every connection.
    public func close() async {
        await pool.closeAll()
    }

    private func connect() async throws -> Connection {
        let tls = self.tls
        let serverHostname = self.serverHostname
        do {
            let (channel, multiplexer, goingAway) = try await ClientBootstrap(group: group)
                .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                            mode: .client,
                            configuration: .init()
                        ) { stream in stream.eventLoop.makeSucceededVoidFuture() }
                        let goingAway = GoAwayState()
                        try channel.pipeline.syncOperations.addHandler(GoAwayObserver(goingAway))
                        return (channel, multiplexer, goingAway)
                    }
                }
            return Connection(channel: channel, multiplexer: multiplexer, goingAway: goingAway)
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(authority): \(error)")
        }
    }

    private func exchange(_ request: ClientRequest, on connection: Connection) async throws -> ClientResponse {
        let stream: NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
        do {
            stream = try await connection.multiplexer.openStream { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>(wrappingChannelSynchronously: channel)
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UndeliveredRequest(error: RPCError(.unavailable, "no stream to \(authority): \(error)"))
        }
        var head = HPACKHeaders()
        head.add(name: ":method", value: "POST")
        head.add(name: ":scheme", value: tls == nil ? "http" : "https")
        head.add(name: ":authority", value: authority)
        head.add(name: ":path", value: request.path)
        for field in request.headers { head.add(name: field.name.canonicalName, value: field.value) }
        head.add(name: "content-length", value: String(request.body.readableBytes))
        let body = request.body
        let goingAway = connection.goingAway
        return try await stream.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(.headers(.init(headers: head, endStream: false)))
            } catch where goingAway.isSet {
                // NIOHTTP2 refuses a stream opened after the server's GOAWAY: never sent.
                throw UndeliveredRequest(error: RPCError(.unavailable, "connection to \(self.authority) is going away"))
            }
            let streamID = try? await stream.channel.getOption(HTTP2StreamChannelOptions.streamID).get()
            try await outbound.write(.data(.init(data: .byteBuffer(body), endStream: true)))
            var status: Int?
            var fields = HTTPFields()
            var responseBody = ByteBuffer()
            receiving: for try await frame in inbound {
                switch frame {
                case .headers(let headers):
                    if status == nil, let code = headers.headers.first(name: ":status").flatMap(Int.init) {
                        status = code
                        for (name, value, _) in headers.headers where !name.hasPrefix(":") {
                            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
                        }
                    }
                    if headers.endStream { break receiving }
                case .data(let data):
                    if case .byteBuffer(var buffer) = data.data { responseBody.writeBuffer(&buffer) }
                    if data.endStream { break receiving }
                case .rstStream(let code) where code == .refusedStream:
                    // RFC 9113 §8.7: the server did not process the request at all.
                    throw UndeliveredRequest(error: RPCError(.unavailable, "stream refused by server"))
                case .rstStream(let code):
                    throw RPCError(.unavailable, "stream reset by server (\(code))")
                default:
                    continue
                }
            }
            guard let status else {
                // A stream above the GOAWAY's last stream id was not processed (RFC 9113 §6.8):
                // it crossed the GOAWAY on the wire.
                if let streamID, goingAway.refused(Int(streamID)) {
                    throw UndeliveredRequest(error: RPCError(.unavailable, "connection to \(self.authority) went away before the call"))
                }
                throw RPCError(.unavailable, "the server closed the stream without a response")
            }
            return ClientResponse(status: status, headers: fields, body: responseBody)
        }
    }
}

struct Connection: Sendable {
    let channel: any Channel
    let multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>
    /// The server sent GOAWAY: the streams already open finish, new calls go to a new
    /// connection, and the server closes this one when it is done with them.
    let goingAway: GoAwayState
    var isUsable: Bool { channel.isActive && !goingAway.isSet }
}

/// What the server's GOAWAY frames said: whether one came, and the lowest last stream id
/// they named (a graceful shutdown sends 2^31 − 1 first, then the real one).
final class GoAwayState: Sendable {
    private let lastStreamID = Atomic<Int>(Int.max)

    func received(lastStreamID id: Int) {
        var current = lastStreamID.load(ordering: .acquiring)
        while id < current {
            let (exchanged, original) = lastStreamID.compareExchange(expected: current, desired: id, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }

    var isSet: Bool { lastStreamID.load(ordering: .acquiring) != Int.max }

    /// The server will not process `streamID`: it is above a GOAWAY's last stream id.
    func refused(_ streamID: Int) -> Bool { streamID > lastStreamID.load(ordering: .acquiring) }
}

/// Marks a connection as going away when the server's GOAWAY arrives (NIOHTTP2 passes the
/// frames of stream 0 on to the connection's pipeline).
final class GoAwayObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    private let goingAway: GoAwayState

    init(_ goingAway: GoAwayState) {
        self.goingAway = goingAway
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway(let lastStreamID, _, _) = unwrapInboundIn(data).payload { goingAway.received(lastStreamID: Int(lastStreamID)) }
        context.fireChannelRead(data)
    }
}

/// A fixed number of connection slots used round-robin; each slot connects on first use,
/// reconnects after its connection closed or got GOAWAY, and backs off after failed connects.
actor ConnectionPool {
    private enum Slot {
        case empty(failures: Int, notBefore: ContinuousClock.Instant)
        case connecting(Task<Connection, any Error>)
        case ready(Connection)
    }

    private var slots: [Slot]
    private var next = 0
    let maxBackoff: Duration
    let logger: Logger

    init(size: Int, maxBackoff: Duration, logger: Logger) {
        self.slots = Array(repeating: .empty(failures: 0, notBefore: .now), count: size)
        self.maxBackoff = maxBackoff
        self.logger = logger
    }

    func connection(_ connect: @escaping @Sendable () async throws -> Connection) async throws -> Connection {
        let index = next
        next = (next + 1) % slots.count
        switch slots[index] {
        case .ready(let connection) where connection.isUsable:
            return connection
        case .ready:
            slots[index] = .empty(failures: 0, notBefore: .now)
            return try await connection(connect, slot: index)
        case .connecting(let task):
            return try await task.value
        case .empty(_, let notBefore):
            guard notBefore <= .now else {
                // This slot is backing off; another may be healthy.
                for case .ready(let connection) in slots where connection.isUsable { return connection }
                throw RPCError(.unavailable, "reconnecting (backing off)")
            }
            return try await connection(connect, slot: index)
        }
    }

    private func connection(_ connect: @escaping @Sendable () async throws -> Connection, slot index: Int) async throws -> Connection {
        let failures: Int
        if case .empty(let count, _) = slots[index] { failures = count } else { failures = 0 }
        let task = Task { try await connect() }
        slots[index] = .connecting(task)
        do {
            let connection = try await task.value
            slots[index] = .ready(connection)
            return connection
        } catch {
            let backoffMs = min(Int64(50) << min(failures, 16), maxBackoff.components.seconds * 1000)
            slots[index] = .empty(failures: failures + 1, notBefore: .now.advanced(by: .milliseconds(Int64.random(in: backoffMs / 2...max(backoffMs, 1)))))
            throw error
        }
    }

    /// Takes a failed connection out of its slot and closes it; one going away is left to
    /// finish the calls it still carries (the server closes it).
    func discard(_ connection: Connection) {
        for index in slots.indices {
            if case .ready(let existing) = slots[index], existing.channel === connection.channel {
                slots[index] = .empty(failures: 0, notBefore: .now)
            }
        }
        if !connection.goingAway.isSet { connection.channel.close(promise: nil) }
    }

    func closeAll() async {
        for index in slots.indices {
            if case .ready(let connection) = slots[index] {
                try? await connection.channel.close()
            }
            slots[index] = .empty(failures: 0, notBefore: .now)
        }
    }
}
