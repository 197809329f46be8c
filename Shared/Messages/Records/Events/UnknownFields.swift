import Foundation

/// Refuses JSON object members that decoding would otherwise drop without a word.
///
/// An event's leaf bytes are its re-encoding, so a member the receiving version does not
/// know would vanish from the record while its sender believes it recorded.
enum UnknownFields {
    /// Throws when the object `decoder` reads has a member not in `known`.
    static func refuse(in decoder: any Decoder, known: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let key = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw unknown(decoder.codingPath + [key])
        }
    }

    /// Throws when `raw` (the JSON received) has a non-null member that re-encoding `decoded`
    /// does not produce; `path` is where `raw` sits in the message.
    static func refuse(in raw: JSONValue, decoded: some Encodable, at path: [any CodingKey]) throws {
        let encoded = try JSONDecoder().decode(JSONValue.self, from: JSONCoding.encoder().encode(decoded))
        try compare(raw, encoded, path)
    }

    private static func compare(_ raw: JSONValue, _ encoded: JSONValue, _ path: [any CodingKey]) throws {
        switch (raw, encoded) {
        case (.object(let received), .object(let kept)):
            for (name, value) in received.sorted(by: { $0.key < $1.key }) where value != .null {
                guard let counterpart = kept[name] else { throw unknown(path + [AnyKey(name)]) }
                try compare(value, counterpart, path + [AnyKey(name)])
            }
        case (.array(let received), .array(let kept)):
            for (index, pair) in zip(received, kept).enumerated() {
                try compare(pair.0, pair.1, path + [AnyKey(index)])
            }
        default:
            break
        }
    }

    private static func unknown(_ path: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "unknown field"))
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(_ string: String) { self.stringValue = string }
        init(_ index: Int) {
            self.stringValue = "Index \(index)"
            self.intValue = index
        }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { self.init(intValue) }
    }
}
