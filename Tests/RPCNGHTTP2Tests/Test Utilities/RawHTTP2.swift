import NIOCore
import NIOPosix

/// Hand-made HTTP/2 bytes, for what a well-behaved client never sends: a request cut off
/// mid-body, an oversized header list, HTTP/1.1 on the h2c port.
enum RawHTTP2 {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    static let emptySettings = frame(type: 4, flags: 0, stream: 0, payload: [])

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
    }

    /// A POST request's header block in HPACK, with static-table names and literal values
    /// (no Huffman, no dynamic table), plus `extra` literal fields.
    static func requestHeaders(path: String, extra: [(String, String)] = []) -> [UInt8] {
        var block: [UInt8] = [0x83, 0x86]  // :method POST, :scheme http
        block += [0x04] + integer(path.utf8.count, prefixBits: 7) + Array(path.utf8)  // :path, literal value
        block += [0x01] + integer(9, prefixBits: 7) + Array("127.0.0.1".utf8)  // :authority
        block += integer(31, prefixBits: 4) + integer(16, prefixBits: 7) + Array("application/json".utf8)  // content-type
        for (name, value) in extra {
            block += [0x00] + integer(name.utf8.count, prefixBits: 7) + Array(name.utf8) + integer(value.utf8.count, prefixBits: 7) + Array(value.utf8)
        }
        return block
    }

    /// An HPACK integer (RFC 7541 §5.1) with an `N`-bit prefix and the other prefix bits 0.
    static func integer(_ value: Int, prefixBits: Int) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        guard value >= limit else { return [UInt8(value)] }
        var bytes = [UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    /// The frames in `bytes` (type, flags, stream id, payload), ignoring an incomplete tail.
    static func frames(in bytes: [UInt8]) -> [(type: UInt8, flags: UInt8, stream: UInt32, payload: ArraySlice<UInt8>)] {
        var frames: [(UInt8, UInt8, UInt32, ArraySlice<UInt8>)] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            guard offset + 9 + length <= bytes.count else { break }
            frames.append((bytes[offset + 3], bytes[offset + 4], uint32(bytes[(offset + 5)...]) & 0x7fff_ffff, bytes[(offset + 9)..<(offset + 9 + length)]))
            offset += 9 + length
        }
        return frames
    }

    /// The big-endian 32-bit integer at the start of `bytes` (a stream id, an error code).
    static func uint32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// SETTINGS with SETTINGS_INITIAL_WINDOW_SIZE at its maximum and a connection
    /// WINDOW_UPDATE to the same: the server may send as much as it likes.
    static let widestWindows = frame(type: 4, flags: 0, stream: 0, payload: [0x00, 0x04, 0x7f, 0xff, 0xff, 0xff])
        + frame(type: 8, flags: 0, stream: 0, payload: [0x7f, 0xff, 0x00, 0x00])

    /// Connects with a tiny receive buffer, writes `bytes` and never reads: a client that
    /// stopped reading. The caller closes the channel.
    static func connectWithoutReading(port: Int, _ bytes: [UInt8]) async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        return channel
    }

    /// Connects, writes `bytes`, then reads until the server closes (an orderly close or a
    /// reset) or `until` says the bytes so far are enough (or `readFor` passes); returns what
    /// arrived. The connection is closed on return.
    static func exchange(
        port: Int, _ bytes: [UInt8], readFor: Duration = .seconds(5), until enough: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }
    ) async throws -> (received: [UInt8], serverClosed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(ByteBuffer(bytes: bytes))
            } catch ChannelError.ioOnClosedChannel {
                // The server closed before our bytes went out (a handshake timeout on a busy
                // machine): what arrived before its close is still read below.
            }
            return try await withThrowingTaskGroup(of: ([UInt8], Bool)?.self) { group in
                group.addTask {
                    var received: [UInt8] = []
                    do {
                        for try await chunk in inbound {
                            received += Array(buffer: chunk)
                            if enough(received) { return (received, false) }
                        }
                    } catch let error as IOError where error.errnoCode == ECONNRESET {
                        // The server closed first and our bytes, or our late write, met a
                        // closed socket: a reset is the server's close too.
                        return (received, true)
                    }
                    return (received, true)
                }
                group.addTask {
                    try await Task.sleep(for: readFor)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first ?? ([], false)
            }
        }
    }

    /// Connects, writes `bytes` and closes at once: a client that goes away mid-request.
    static func writeAndDisconnect(port: Int, _ bytes: [UInt8]) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
        }
    }
}
