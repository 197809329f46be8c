public import Messages

/// Who calls a method, in the role they act in: the actor of any event the call causes.
public struct Caller: Sendable, Hashable {
    public var subject: String
    public var role: Role
    /// The startup's organisation number (the token's `org` claim).
    public var organisation: OrgNumber?

    public init(subject: String, role: Role, organisation: OrgNumber? = nil) {
        self.subject = subject
        self.role = role
        self.organisation = organisation
    }

    public var actor: Actor { Actor(subject: subject, role: role) }

    /// The organisation a startup acts for; without one nothing can be attributed to it.
    public func requireOrganisation() throws(RPCError) -> OrgNumber {
        guard let organisation else { throw RPCError(.permissionDenied, "a startup must act for an organisation: the token has no 'org' claim") }
        return organisation
    }
}
