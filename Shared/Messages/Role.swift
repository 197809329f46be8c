/// A caller's role, carried in the `roles` claim of its token (DESIGN.md §3).
public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
    /// A procurement officer of the municipality.
    case officer
    /// A member of an evaluation panel.
    case evaluator
    /// A member of the municipality's negotiation team.
    case negotiator
    /// A startup, identified by its organisation number (`org` claim).
    case startup
    /// Reads everything, changes nothing.
    case auditor
    /// Another TenderDialogue service calling this one; `sub` is the service's name.
    case service
}

/// Who may call a method.
public enum Access: Sendable, Hashable {
    /// Anyone, with or without a token (public information: published challenges, checkpoints).
    case everyone
    /// A verified token carrying at least one of these roles.
    case roles(Set<Role>)

    /// Whether a caller holding `roles` (nil: no token) may call.
    public func admits(_ roles: Set<Role>?) -> Bool {
        switch self {
        case .everyone: true
        case .roles(let allowed): !(roles ?? []).isDisjoint(with: allowed)
        }
    }
}
