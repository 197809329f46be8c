import Foundation
public import GRPCCore
import Messages

/// gRPC's codec slot filled with the project's JSON (`JSONCoding`), so grpc-swift-2 carries
/// the same bytes and does the same decoding work as our server: only the framework differs.
public struct JSONMessageSerializer<Message: Encodable>: MessageSerializer {
    public init() {}

    public func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes(try JSONCoding.encoder().encode(message))
    }
}

public struct JSONMessageDeserializer<Message: Decodable>: MessageDeserializer {
    public init() {}

    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { try JSONCoding.decoder().decode(Message.self, from: Data($0)) }
    }
}

extension BenchAPI {
    /// The same method, as grpc-swift-2 names it (same HTTP/2 path).
    public static let grpcDescriptor = GRPCCore.MethodDescriptor(fullyQualifiedService: service, method: method)
}
