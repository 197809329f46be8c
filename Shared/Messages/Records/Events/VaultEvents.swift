/// Someone opened confidential content in the Vault under an access grant.
///
/// Emitted by the Vault for every read, after the read is durably logged and before the
/// plaintext is returned (DESIGN.md §4). The event's actor is the Vault service; ``reader``
/// is who read. The startup that owns the data can list every such event about itself.
public struct ConfidentialDataAccessed: EventBody {
    public static let eventType = EventType.confidentialDataAccessed

    public var reader: Actor
    /// The startup whose data was read.
    public var owner: OrgNumber
    public var ref: VaultRef
    /// The purpose named in the grant, e.g. "evaluation".
    public var purpose: String
    public var grant: GrantID

    public init(reader: Actor, owner: OrgNumber, ref: VaultRef, purpose: String, grant: GrantID) {
        self.reader = reader
        self.owner = owner
        self.ref = ref
        self.purpose = purpose
        self.grant = grant
    }
}
