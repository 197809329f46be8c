/// The contract of one RPC method, declared once in `Messages` and used by both ends.
///
/// Servers register a handler against the descriptor, clients call through it, so both
/// compile against the same request and response types:
///
/// ```swift
/// extension IntakeAPI {
///     static let submitApplication = Method<SubmitApplicationRequest, ApplicationReceipt>(
///         service: "tender.intake.v1.IntakeService", name: "SubmitApplication",
///         kind: .mutating, access: .roles([.startup]))
/// }
/// ```
public struct Method<Request: Codable & Sendable, Response: Codable & Sendable>: Sendable {
    public let descriptor: MethodDescriptor

    public init(service: String, name: String, kind: MethodKind, access: Access) {
        self.descriptor = MethodDescriptor(service: service, name: name, kind: kind, access: access)
    }

    public var path: String { descriptor.path }
}

/// Whether repeating a call is harmless.
public enum MethodKind: String, Sendable, Hashable {
    /// Reads or otherwise safe to repeat: the client may retry it.
    case idempotent
    /// Changes state: retried only when the call carries an `idempotency-key`.
    case mutating
}

/// The type-erased part of a ``Method``: what the runtime needs to route and authorise.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Fully qualified service, e.g. `tender.records.v1.RecordsService`.
    public let service: String
    /// Method name, e.g. `Append`.
    public let name: String
    public let kind: MethodKind
    public let access: Access

    public init(service: String, name: String, kind: MethodKind, access: Access) {
        self.service = service
        self.name = name
        self.kind = kind
        self.access = access
    }

    /// The HTTP path: `/<service>/<name>`.
    public var path: String { "/\(service)/\(name)" }

    public var description: String { "\(service)/\(name)" }
}
