public import Messages

/// The two methods the safety harness serves: enough to drive the engine's whole request
/// path (headers, body, dispatch, response body) and to keep calls open while a client
/// misbehaves around them.
public enum SafetyAPI {
    public static let service = "tender.safety.v1.SafetyService"

    /// Returns the message unchanged (anyone).
    public static let echo = Method<EchoMessage, EchoMessage>(service: service, name: "Echo", kind: .idempotent, access: .everyone)
    /// Sleeps up to ``SleepRequest/cap`` milliseconds (anyone): a call that stays open.
    public static let sleep = Method<SleepRequest, SleepResponse>(service: service, name: "Sleep", kind: .idempotent, access: .everyone)
}

public struct EchoMessage: Codable, Sendable, Equatable {
    public var text: String
    public init(text: String) { self.text = text }
}

public struct SleepRequest: Codable, Sendable {
    /// The longest sleep served: a flood of sleeping calls must not outlive the harness.
    public static let cap = 5_000
    public var milliseconds: Int
    public init(milliseconds: Int) { self.milliseconds = milliseconds }
}

public struct SleepResponse: Codable, Sendable {
    public var slept: Int
    public init(slept: Int) { self.slept = slept }
}
