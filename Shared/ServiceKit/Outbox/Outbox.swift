import Foundation
public import Messages
public import SQLKit

/// The transactional outbox: an event is written in the same transaction as the state
/// change it reports, and an ``OutboxSender`` delivers it afterwards. So either both the
/// change and its event exist, or neither — a crash between the two cannot lose an event
/// (DESIGN.md §5, "How events travel").
public enum Outbox {
    /// Adds `request` for delivery to `method`, on `transaction` (the caller's transaction).
    /// `eventID` is the event's globally unique id; it doubles as the idempotency key of the
    /// delivery, so the receiver applies it once however often it arrives. Enqueueing the
    /// same event id twice is a no-op.
    public static func enqueue<Request>(
        _ request: Request, eventID: String, to method: Method<Request, some Codable & Sendable>, on transaction: any SQLDatabase
    ) async throws {
        let payload = String(decoding: try CanonicalJSON.encode(request), as: UTF8.self)
        let now = Timestamp(Date()).millisecondsSinceEpoch
        try await transaction.raw("""
            INSERT INTO outbox (event_id, destination, payload, created_at, next_attempt_at)
            VALUES (\(bind: eventID), \(bind: method.path), \(bind: payload), \(bind: now), \(bind: now))
            ON CONFLICT (event_id) DO NOTHING
            """).run()
    }

    /// Adds `event` for delivery to the record (`RecordsAPI.append`), keyed by its id.
    public static func record(_ event: ProcurementEvent, on transaction: any SQLDatabase) async throws {
        try await enqueue(AppendRequest(event: event), eventID: event.id.rawValue, to: RecordsAPI.append, on: transaction)
    }

    /// Rows not yet acknowledged by their destination.
    public static func backlog(on database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL").first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }
}
