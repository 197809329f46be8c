/// A Norwegian organisation number (Enhetsregisteret): nine digits, the last a mod-11
/// check digit over the first eight with weights 3 2 7 6 5 4 3 2.
///
/// The check digit is `11 − (Σ wᵢ·dᵢ mod 11)`, with 11 written as 0; a remainder of 1 would
/// need the digit 10, so such numbers are never issued and are invalid here.
/// Decoding accepts the digits with or without spaces (`"923 609 016"`) and stores them bare.
public struct OrgNumber: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Validates `text`; nil when it is not a valid organisation number.
    public init?(_ text: String) {
        let digits = text.filter { $0 != " " }
        guard digits.utf8.count == 9, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let values = digits.utf8.map { Int($0 - 48) }
        guard let check = Self.checkDigit(forFirstEight: Array(values.prefix(8))), check == values[8] else { return nil }
        self.rawValue = digits
    }

    /// The check digit for eight leading digits, or nil when none exists (remainder 1).
    public static func checkDigit(forFirstEight digits: [Int]) -> Int? {
        precondition(digits.count == 8)
        let weights = [3, 2, 7, 6, 5, 4, 3, 2]
        let remainder = zip(weights, digits).reduce(0) { $0 + $1.0 * $1.1 } % 11
        switch remainder {
        case 0: return 0
        case 1: return nil
        default: return 11 - remainder
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: OrgNumber, rhs: OrgNumber) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = OrgNumber(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid Norwegian organisation number (9 digits, mod-11 check)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
