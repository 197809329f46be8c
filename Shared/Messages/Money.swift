/// An amount of Norwegian kroner held as an integer number of øre — never floating point,
/// because budgets, offers and cost caps are compared and summed exactly.
///
/// On the wire it is a JSON integer of øre: `150000000` is NOK 1 500 000,00.
/// Arithmetic traps on overflow like `Int`; use ``adding(_:)`` where an amount comes from
/// outside and overflow must become an error instead.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var ore: Int64

    public init(ore: Int64) { self.ore = ore }

    /// Whole kroner.
    public init(kroner: Int64) { self.ore = kroner * 100 }

    /// Parses `"1500000"`, `"1500000.5"`, `"1 500 000,50"`; nil for anything else,
    /// including more than two decimals (no silent rounding of money).
    public init?(parsing text: String) {
        var digits = text.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "_" }
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
        let parts = digits.split(separator: digits.contains(",") ? "," : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), !parts[0].contains("+"), whole >= 0 else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isASCII), let f = Int64(parts[1]), f >= 0 else { return nil }
            fraction = parts[1].count == 1 ? f * 10 : f
        }
        let (scaled, o1) = whole.multipliedReportingOverflow(by: 100)
        let (sum, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return nil }
        self.ore = negative ? -sum : sum
    }

    public static let zero = Money(ore: 0)

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.ore < rhs.ore }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(ore: lhs.ore + rhs.ore) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(ore: lhs.ore - rhs.ore) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(ore: lhs.ore * rhs) }
    public static prefix func - (value: Money) -> Money { Money(ore: -value.ore) }
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }

    /// Sum that reports overflow instead of trapping.
    public func adding(_ other: Money) throws(MoneyOverflow) -> Money {
        let (sum, overflow) = ore.addingReportingOverflow(other.ore)
        if overflow { throw MoneyOverflow() }
        return Money(ore: sum)
    }

    /// The sum of many amounts; nil on overflow.
    public static func sum(_ amounts: some Sequence<Money>) -> Money? {
        var total = Money.zero
        for amount in amounts {
            guard let next = try? total.adding(amount) else { return nil }
            total = next
        }
        return total
    }

    /// `NOK 1 500 000,50` — Norwegian grouping and decimal comma, for people.
    public var description: String {
        let magnitude = ore.magnitude
        let kroner = String(magnitude / 100)
        var grouped = ""
        for (i, c) in kroner.enumerated() {
            if i > 0 && (kroner.count - i) % 3 == 0 { grouped.append(" ") }
            grouped.append(c)
        }
        let rest = magnitude % 100
        return "NOK \(ore < 0 ? "-" : "")\(grouped),\(rest < 10 ? "0" : "")\(rest)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self.ore = try container.decode(Int64.self)
        } catch {
            // Foundation reports a fraction or an out-of-range number at the document root;
            // say which field and why here, where the path is known.
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a whole number of øre (an integer)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(ore)
    }
}

/// An amount left the range of `Int64` øre.
public struct MoneyOverflow: Error, Hashable, Sendable {}
