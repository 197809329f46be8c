import NIOCore
import NIOPosix
import Testing

/// A local TCP port nothing listens on: bound by the kernel's choice, then closed again.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}
