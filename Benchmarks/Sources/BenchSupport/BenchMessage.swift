public import Messages

/// The message every RPC benchmark sends and receives: ~150 bytes of JSON with an id, a
/// title, an amount in øre and a few tags (issue 5), decoded and encoded by every server with
/// the same `JSONCoding` encoder and decoder, so only the framework differs.
public struct BenchMessage: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var amount: Money
    public var tags: [String]
    public var org: OrgNumber?

    public init(id: String, title: String, amount: Money, tags: [String], org: OrgNumber?) {
        self.id = id
        self.title = title
        self.amount = amount
        self.tags = tags
        self.org = org
    }

    public static let sample = BenchMessage(
        id: "c-7f3a9b2e-1d4c-4e8a", title: "Smart bins for Grünerløkka",
        amount: Money(ore: 150_000_000), tags: ["waste", "sensors", "iot", "pilot"], org: OrgNumber("923609016"))
}

/// The one method every server answers, at the same path.
public enum BenchAPI {
    public static let service = "tender.bench.v1.BenchService"
    public static let method = "Echo"
    public static let path = "/\(service)/\(method)"
    public static let echo = Method<BenchMessage, BenchMessage>(service: service, name: method, kind: .idempotent, access: .everyone)
}
