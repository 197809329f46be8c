import Foundation

/// A typed identifier: `Identifier<ChallengeTag>` and `Identifier<ApplicationTag>` are
/// different types, so one cannot be passed where the other is meant.
///
/// The text is 1–128 characters of `A–Z a–z 0–9 . _ : -`; new identifiers are lowercase
/// UUIDs. Decoding refuses anything else with an error naming the field.
public struct Identifier<Tag>: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        self.rawValue = text
    }

    /// A fresh random identifier.
    public init() { self.rawValue = UUID().uuidString.lowercased() }

    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 58 || c == 45
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard Self.isValid(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid identifier (1-128 of A-Z a-z 0-9 . _ : -)"))
        }
        self.rawValue = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum ChallengeTag {}
public enum ApplicationTag {}
public enum EventTag {}
public enum DialogueTag {}
public enum GrantTag {}

public typealias ChallengeID = Identifier<ChallengeTag>
public typealias ApplicationID = Identifier<ApplicationTag>
public typealias EventID = Identifier<EventTag>
public typealias DialogueID = Identifier<DialogueTag>
public typealias GrantID = Identifier<GrantTag>
