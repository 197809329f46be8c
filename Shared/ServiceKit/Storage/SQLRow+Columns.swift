import Foundation
public import Messages
public import SQLKit

/// How the services store values in SQL columns that both SQLite and PostgreSQL hold the same
/// way: times as milliseconds since the epoch (BIGINT), counts as BIGINT, structured values
/// as canonical JSON text, typed identifiers as text.
extension SQLRow {
    public func timestamp(_ column: String) throws -> Timestamp {
        Timestamp(millisecondsSinceEpoch: try decode(column: column, as: Int64.self))
    }

    public func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try decode(column: column, as: Int64?.self).map(Timestamp.init(millisecondsSinceEpoch:))
    }

    public func int(_ column: String) throws -> Int {
        Int(try decode(column: column, as: Int64.self))
    }

    public func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    /// A value stored as canonical JSON text.
    public func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(try string(column).utf8))
    }

    /// A typed value stored as text; a malformed one is `data_loss`, not a crash.
    public func parsed<T>(_ column: String, _ parse: (String) -> T?) throws -> T {
        guard let value = parse(try string(column)) else { throw RPCError(.dataLoss, "stored \(column) is malformed") }
        return value
    }
}

/// Canonical JSON text of `value`, for a TEXT column.
public func jsonText(_ value: some Encodable) throws -> String {
    String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
}
