public import Foundation

/// The one JSON configuration of the whole system: every service, client and tool encodes
/// and decodes with these, so dates are ISO-8601 (UTC, `Z`) everywhere and bytes that are
/// hashed or signed are the same on every machine.
public enum JSONCoding {
    /// One encoder and one decoder for the wire, configured once and shared: Foundation's
    /// coders are `Sendable` and keep no state between calls, and building them (with the
    /// date strategy's closure) on every call showed in the server's profile.
    public static let sharedEncoder = encoder()
    public static let sharedDecoder = decoder()

    /// For responses and requests: ISO-8601 dates, sorted keys, no insignificant whitespace.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp(date).iso8601)
        }
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let timestamp = Timestamp(iso8601: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO-8601 date-time"))
            }
            return timestamp.date
        }
        return decoder
    }
}

/// The canonical JSON form, used wherever bytes are hashed or signed (record entries,
/// digests of requests, signed receipts): object keys sorted, no insignificant whitespace,
/// `/` unescaped, integers only where numbers matter (money is øre, times are ISO-8601 text).
///
/// Encoding the same value twice gives the same bytes, and so does decoding canonical bytes
/// and encoding them again.
public enum CanonicalJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        try JSONCoding.encoder().encode(value)
    }

    /// Re-encodes arbitrary JSON text canonically (e.g. to compare two request bodies).
    public static func canonicalize(_ json: Data) throws -> Data {
        let value = try JSONDecoder().decode(JSONValue.self, from: json)
        return try encode(value)
    }
}
