import Foundation
import Messages
import SQLKit

extension SQLRow {
    func timestamp(_ column: String) throws -> Timestamp {
        Timestamp(millisecondsSinceEpoch: try decode(column: column, as: Int64.self))
    }

    func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try decode(column: column, as: Int64?.self).map(Timestamp.init(millisecondsSinceEpoch:))
    }

    func int(_ column: String) throws -> Int {
        Int(try decode(column: column, as: Int64.self))
    }

    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    /// A value stored as canonical JSON text.
    func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(try string(column).utf8))
    }

    /// A typed value stored as text; a malformed one is `data_loss`, not a crash.
    func parsed<T>(_ column: String, _ parse: (String) -> T?) throws -> T {
        guard let value = parse(try string(column)) else { throw RPCError(.dataLoss, "stored \(column) is malformed") }
        return value
    }
}

/// Canonical JSON text of `value`, for a TEXT column.
func jsonText(_ value: some Encodable) throws -> String {
    String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
}
