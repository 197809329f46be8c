import Foundation
import Messages

/// A small deterministic generator (SplitMix64): the same seed gives the same startups on
/// every machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One synthetic Norwegian startup of the demo.
struct SyntheticStartup: Sendable {
    var index: Int
    var org: OrgNumber
    var name: String
    var contact: Contact
    var theme: String
    var summary: String
    var budget: Money
    /// A unique string planted in the startup's confidential material only; the demo checks
    /// it appears nowhere outside the Vault.
    var canary: String

    var subject: String { "startup-\(org)" }

    /// The confidential part: technology, customers, prices, finances — what goes only to
    /// the Vault.
    func confidentialMaterial(version: Int = 1) -> Data {
        let document: [String: String] = [
            "technology": "Proprietary \(theme) engine, version \(version). Internal marker \(canary).",
            "customers": "Pilot customers under NDA: \(name) reference list (\(canary)).",
            "pricing": "Unit price and margin model for \(name): confidential (\(canary)).",
            "financials": "Runway and burn rate of \(name) (\(canary)).",
        ]
        return (try? CanonicalJSON.encode(document)) ?? Data()
    }

    static func make(count: Int, seed: UInt64) -> [SyntheticStartup] {
        var random = SeededGenerator(seed: seed)
        var used = Set<String>()
        var names = Set<String>()
        var startups: [SyntheticStartup] = []
        while startups.count < count {
            // Norwegian organisation numbers: nine digits starting with 8 or 9, mod-11 check.
            let first = [8, 9][Int(random.next() % 2)]
            let digits = [first] + (0..<7).map { _ in Int(random.next() % 10) }
            guard let check = OrgNumber.checkDigit(forFirstEight: digits) else { continue }
            let text = (digits + [check]).map(String.init).joined()
            guard let org = OrgNumber(text), used.insert(text).inserted else { continue }
            let prefix = prefixes[Int(random.next() % UInt64(prefixes.count))]
            let suffix = suffixes[Int(random.next() % UInt64(suffixes.count))]
            let name = "\(prefix)\(suffix) AS"
            guard names.insert(name).inserted else { continue }
            let theme = themes[Int(random.next() % UInt64(themes.count))]
            let person = people[Int(random.next() % UInt64(people.count))]
            let mailbox = person.lowercased().split(separator: " ").joined(separator: ".")
            let domain = (prefix + suffix).lowercased().folding(options: .diacriticInsensitive, locale: nil).replacingOccurrences(of: "ø", with: "o").replacingOccurrences(of: "æ", with: "ae").replacingOccurrences(of: "å", with: "a")
            // Pilot prices within the announced budget (NOK 1.5 million), not far apart: the
            // linear formula gives 0 points at twice the lowest price and less beyond it.
            let kroner = Int64(700_000 + (random.next() % 15) * 50_000)
            let canary = "CANARY-\(seed)-\(startups.count)-" + (0..<6).map { _ in UInt8(truncatingIfNeeded: random.next()) }.hexString
            startups.append(SyntheticStartup(
                index: startups.count, org: org, name: name,
                contact: Contact(name: person, email: "\(mailbox)@\(domain).no"),
                theme: theme,
                summary: "\(name) proposes \(theme) for the outer districts, tested in a 3-month pilot.",
                budget: Money(kroner: kroner), canary: canary))
        }
        return startups
    }

    static let prefixes = ["Fjord", "Nord", "Bølge", "Lys", "Skog", "Fjell", "Elv", "Vind", "Sol", "Is", "Havn", "Bro", "Tind", "Myr", "Strand", "Berg", "Dal", "Vik", "Nes", "Ås"]
    static let suffixes = ["lys", "data", "sense", "mobil", "kraft", "tech", "logic", "grid", "flow", "sky", "labs", "works", "sporet", "nett", "vei", "punkt"]
    static let themes = [
        "on-demand minibuses", "shared e-bike hubs", "real-time route planning", "sensor-based snow clearing",
        "smart parking guidance", "demand-responsive ferries", "last-mile cargo bikes", "accessible trip planning for wheelchair users",
        "air-quality routing", "school-route safety analytics", "car-pool matching for shift workers", "predictive bus maintenance",
    ]
    static let people = ["Ingrid Hansen", "Ola Johansen", "Kari Olsen", "Lars Larsen", "Sigrid Andersen", "Nils Pedersen", "Astrid Nilsen", "Eirik Kristiansen", "Marte Jensen", "Håkon Karlsen", "Ingeborg Berg", "Jonas Haugen"]
}
