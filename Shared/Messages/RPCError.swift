import Foundation

/// The typed error every method can return, and its JSON body on the wire:
/// `{"code": "invalid_argument", "message": "…", "details": [...]}`.
///
/// A server's error reaches the caller as the same value, so a client can `catch` on
/// ``code`` exactly as the handler threw it.
public struct RPCError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: [ErrorDetail]

    public init(_ code: ErrorCode, _ message: String, details: [ErrorDetail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // An unknown code from a newer peer is still an error, not a decoding failure.
        let rawCode = try container.decode(String.self, forKey: .code)
        self.code = ErrorCode(rawValue: rawCode) ?? .unknown
        self.message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        self.details = try container.decodeIfPresent([ErrorDetail].self, forKey: .details) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        if !details.isEmpty { try container.encode(details, forKey: .details) }
    }

    private enum CodingKeys: String, CodingKey { case code, message, details }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The path of the offending field when this is a decoding error, e.g. `criteria[2].weight`.
    public var fieldPath: String? {
        details.first { $0.type == ErrorDetail.fieldViolationType }?.debug?["field"]
    }

    /// An `invalid_argument` that names the field at fault.
    public static func invalidField(_ path: String, _ reason: String) -> RPCError {
        let label = path.isEmpty ? "request" : "field '\(path)'"
        return RPCError(.invalidArgument, "\(label): \(reason)", details: [.fieldViolation(path, reason)])
    }
}

/// One entry of a Connect error's `details`. `value` is base64 of the canonical JSON of
/// `debug`, so Connect clients that expect base64 there still parse it.
public struct ErrorDetail: Codable, Sendable, Hashable {
    public var type: String
    public var value: String
    public var debug: [String: String]?

    public init(type: String, debug: [String: String]) {
        self.type = type
        self.debug = debug
        self.value = ((try? CanonicalJSON.encode(debug)) ?? Data()).base64EncodedString()
    }

    public static let fieldViolationType = "tender.rpc.v1.FieldViolation"

    public static func fieldViolation(_ path: String, _ reason: String) -> ErrorDetail {
        ErrorDetail(type: fieldViolationType, debug: ["field": path, "description": reason])
    }
}
