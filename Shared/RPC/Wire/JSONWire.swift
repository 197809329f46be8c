import Foundation
public import Messages
public import NIOCore

/// Encoding and decoding of message bodies, turning every decoding failure into an
/// `invalid_argument` that names the field path (`criteria[2].weight`).
///
/// Both directions go through ``WireJSON``: Foundation's bytes and values (and, for bad
/// input, Foundation's errors) without Foundation's cost, read straight from and written
/// straight into the buffer.
public enum JSONWire {
    public static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws(RPCError) -> T {
        do {
            return try buffer.withUnsafeReadableBytes { try WireJSON.decode(type, from: $0) }
        } catch let error as DecodingError {
            throw rpcError(for: error)
        } catch {
            throw RPCError(.invalidArgument, "malformed JSON")
        }
    }

    public static func encode(_ value: some Encodable) throws(RPCError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try WireJSON.encode(value))
        } catch {
            throw RPCError(.internal, "response could not be encoded")
        }
    }

    /// The JSON error body of a Connect error.
    public static func errorBody(_ error: RPCError) -> ByteBuffer {
        (try? encode(error)) ?? ByteBuffer(string: #"{"code":"internal","message":"error"}"#)
    }

    static func rpcError(for error: DecodingError) -> RPCError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context):
            return .invalidField(path(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return .invalidField(path(context.codingPath), "expected \(describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return RPCError(.invalidArgument, "malformed JSON", details: [.fieldViolation("", "malformed JSON")])
            }
            return .invalidField(path(context.codingPath), context.debugDescription)
        @unknown default:
            return RPCError(.invalidArgument, "malformed request")
        }
    }

    /// `a.b[2].c` from a coding path.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a value of type \(type)"
        }
    }
}
