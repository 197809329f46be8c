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

/// A startup's data key for a challenge was deleted: every deposit under it is unreadable
/// from now on, everywhere at once (DESIGN.md §4, crypto-shredding).
///
/// Emitted by the Vault (the actor is the Vault service) in the same transaction that deletes
/// the key. A startup that withdraws shreds before the deadline, when who applied is still
/// sealed (see ``ApplicationReceived``): so the owner is sealed here too, with a salt the Vault
/// gives the owner (``ShredResponse/ownerSalt``) and keeps, so the owner or an auditor can
/// show later whose data it was.
public struct ConfidentialDataShredded: EventBody {
    public static let eventType = EventType.confidentialDataShredded

    /// ``sealOwner(_:salt:)`` of the startup whose data was shredded.
    public var owner: Digest
    /// How many deposits became unreadable.
    public var refs: Int
    public var reason: String
    /// Who asked: the startup itself (`startup`) or an officer when retention ended (`officer`).
    public var requestedBy: Role

    public init(owner: Digest, refs: Int, reason: String, requestedBy: Role) {
        self.owner = owner
        self.refs = refs
        self.reason = reason
        self.requestedBy = requestedBy
    }

    /// SHA-256 over `salt ‖ orgNumber` (the nine digits, UTF-8).
    public static func sealOwner(_ owner: OrgNumber, salt: [UInt8]) -> Digest {
        Digest.salted(Array(owner.rawValue.utf8), salt: salt)
    }
}
