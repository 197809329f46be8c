public import Messages

/// A small test-only service that exercises the runtime: every behaviour the foundation
/// promises (roles, idempotency, deadlines, retries, the outbox) has a method here.
/// It is not part of the product.
public enum TestAPI {
    public static let service = "tender.test.v1.TestService"

    /// Returns the message unchanged (anyone).
    public static let echo = Method<EchoMessage, EchoMessage>(service: service, name: "Echo", kind: .idempotent, access: .everyone)
    /// Stores a value and counts how often the handler really ran (officer).
    public static let put = Method<PutRequest, PutResponse>(service: service, name: "Put", kind: .mutating, access: .roles([.officer]))
    /// Reads a value (officer, auditor).
    public static let get = Method<GetRequest, GetResponse>(service: service, name: "Get", kind: .idempotent, access: .roles([.officer, .auditor]))
    /// Sleeps; records whether it finished or was cancelled (anyone).
    public static let sleep = Method<SleepRequest, SleepResponse>(service: service, name: "Sleep", kind: .idempotent, access: .everyone)
    /// Calls `Sleep` on the downstream service (anyone): a second hop for deadline propagation.
    public static let relay = Method<SleepRequest, SleepResponse>(service: service, name: "Relay", kind: .idempotent, access: .everyone)
    /// Fails with `unavailable` until it has been called `failures` times for `key` (anyone).
    public static let flakyWrite = Method<FlakyRequest, FlakyResponse>(service: service, name: "FlakyWrite", kind: .mutating, access: .everyone)
    public static let flakyRead = Method<FlakyRequest, FlakyResponse>(service: service, name: "FlakyRead", kind: .idempotent, access: .everyone)
    /// Accepts one event (service): the outbox's destination.
    public static let record = Method<RecordRequest, RecordResponse>(service: service, name: "Record", kind: .mutating, access: .roles([.service]))
    /// Writes `count` rows and enqueues an event for each in the same transaction (officer).
    public static let emit = Method<EmitRequest, EmitResponse>(service: service, name: "Emit", kind: .mutating, access: .roles([.officer]))
    /// Counters of what the handlers did (anyone).
    public static let stats = Method<StatsRequest, Stats>(service: service, name: "Stats", kind: .idempotent, access: .everyone)
}

public struct EchoMessage: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var amount: Money
    public var tags: [String]
    public var org: OrgNumber?
    public init(id: String, title: String, amount: Money, tags: [String], org: OrgNumber? = nil) {
        self.id = id; self.title = title; self.amount = amount; self.tags = tags; self.org = org
    }
}

public struct PutRequest: Codable, Sendable { public var key: String; public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value } }
public struct PutResponse: Codable, Sendable, Equatable { public var key: String; public var executions: Int
    public init(key: String, executions: Int) { self.key = key; self.executions = executions } }
public struct GetRequest: Codable, Sendable { public var key: String; public init(key: String) { self.key = key } }
public struct GetResponse: Codable, Sendable, Equatable { public var value: String?; public var executions: Int
    public init(value: String?, executions: Int) { self.value = value; self.executions = executions } }
public struct SleepRequest: Codable, Sendable { public var milliseconds: Int; public init(milliseconds: Int) { self.milliseconds = milliseconds } }
public struct SleepResponse: Codable, Sendable { public var slept: Int; public init(slept: Int) { self.slept = slept } }
public struct FlakyRequest: Codable, Sendable { public var key: String; public var failures: Int
    public init(key: String, failures: Int) { self.key = key; self.failures = failures } }
public struct FlakyResponse: Codable, Sendable { public var attempts: Int; public init(attempts: Int) { self.attempts = attempts } }
public struct RecordRequest: Codable, Sendable { public var eventID: String; public var delayMilliseconds: Int
    public init(eventID: String, delayMilliseconds: Int = 0) { self.eventID = eventID; self.delayMilliseconds = delayMilliseconds } }
public struct RecordResponse: Codable, Sendable { public var index: Int; public init(index: Int) { self.index = index } }
public struct EmitRequest: Codable, Sendable { public var prefix: String; public var count: Int; public var delayMilliseconds: Int
    public init(prefix: String, count: Int, delayMilliseconds: Int = 0) { self.prefix = prefix; self.count = count; self.delayMilliseconds = delayMilliseconds } }
public struct EmitResponse: Codable, Sendable { public var eventIDs: [String]; public init(eventIDs: [String]) { self.eventIDs = eventIDs } }
public struct StatsRequest: Codable, Sendable { public init() {} }
public struct Stats: Codable, Sendable, Equatable {
    public var sleepsStarted: Int
    public var sleepsFinished: Int
    public var sleepsCancelled: Int
    /// The `connect-timeout-ms` budget the last `Sleep` arrived with, in milliseconds.
    public var lastSleepBudgetMs: Int?
    public var flakyAttempts: [String: Int]
    /// Event ids accepted by `Record`, in order, once each.
    public var recorded: [String]
    /// How often the `Record` handler ran (a replayed idempotent delivery does not run it).
    public var recordExecutions: Int
}
