/// The payload of one kind of ``ProcurementEvent``: a value type tied to exactly one
/// ``EventType``.
///
/// Payloads carry only what may stand in a public, permanent record (DESIGN.md §4):
/// confidential content is referred to by a ``VaultRef`` and committed to by a
/// ``SaltedDigest``, never included. Amounts are ``Money`` (øre) and scores are integers in
/// hundredths of a point, so no payload holds a floating-point number and the canonical
/// bytes are the same on every machine.
///
/// To evolve a payload, add optional fields only: stored entries are decoded again when the
/// record is read, and decoding refuses fields it does not know (see ``ProcurementEvent``).
public protocol EventBody: Codable, Sendable, Hashable {
    /// The `type` an event with this payload carries.
    static var eventType: EventType { get }
}
