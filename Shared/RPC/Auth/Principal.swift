public import Messages

/// Who is calling, as established from a verified token.
public struct Principal: Sendable, Hashable {
    /// The `sub` claim: a person's id, or a service's name for role `service`.
    public var subject: String
    public var roles: Set<Role>
    /// The startup's organisation number (`org` claim), for role `startup`.
    public var organisation: OrgNumber?
    /// When the token stops being valid.
    public var expiresAt: Timestamp

    public init(subject: String, roles: Set<Role>, organisation: OrgNumber? = nil, expiresAt: Timestamp) {
        self.subject = subject
        self.roles = roles
        self.organisation = organisation
        self.expiresAt = expiresAt
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}
