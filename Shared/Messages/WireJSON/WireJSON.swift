public import Foundation

/// The wire's JSON coder: the bytes of ``JSONCoding/sharedEncoder`` and the values of
/// ``JSONCoding/sharedDecoder``, at a fraction of their cost.
///
/// Encoding writes straight into one byte array and sorts each object's members as
/// Foundation's `.sortedKeys` does; decoding scans the text once into a flat token array and
/// reads values from it in place. Both hand the rare cases they do not cover to Foundation
/// and return or throw exactly what Foundation returns or throws:
/// - encoding: `Data`, `URL`, `Decimal`, `superEncoder`, repeated keys, a value asking for
///   two containers or encoding nothing, any error (e.g. a non-finite number);
/// - decoding: any failure at all (so errors and their coding paths are Foundation's),
///   text that is not strict RFC 8259 UTF-8 (a BOM, trailing commas, nesting deeper than
///   128), strings Foundation would refuse (invalid UTF-8, lone surrogates), integers
///   written with a fraction or exponent, numbers out of range or subnormal, `Data`, `URL`,
///   `Decimal`, `Float`, `superDecoder` on a missing key.
///
/// ``CanonicalJSON`` (bytes that are hashed or signed) stays on Foundation.
public enum WireJSON {
    /// The JSON text of `value`, byte for byte what `JSONCoding.sharedEncoder` produces.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        if let bytes = fastEncode(value) { return bytes }
        return Array(try JSONCoding.sharedEncoder.encode(value))
    }

    /// Decodes `type` from JSON text as `JSONCoding.sharedDecoder` would.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        if let value = fastDecode(type, from: bytes) { return value }
        return try JSONCoding.sharedDecoder.decode(type, from: Data(bytes))
    }

    /// Decodes `type` from JSON text as `JSONCoding.sharedDecoder` would.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some ContiguousBytes) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    /// The fast path alone: nil where Foundation must encode.
    static func fastEncode(_ value: some Encodable) -> [UInt8]? {
        let encoder = WireJSONEncoderImpl()
        do {
            try encoder.encodeDocument(value)
        } catch {
            return nil
        }
        return encoder.bytes
    }

    /// The fast path alone: nil where Foundation must decide.
    static func fastDecode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) -> T? {
        guard let document = WireJSONDocument(bytes: bytes) else { return nil }
        let decoder = WireJSONDecoderImpl(document: document)
        guard let value = try? decoder.decodeValue(type, at: 0, key: nil), !decoder.mustFallBack else { return nil }
        return value
    }
}
