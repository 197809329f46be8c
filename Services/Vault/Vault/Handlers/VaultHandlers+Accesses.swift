import Messages
import RPC
import ServiceKit

extension VaultHandlers {
    /// Every read of one owner's data, oldest first: a startup sees only its own, an auditor
    /// names the owner.
    func listAccesses(_ request: ListAccessesRequest, context: CallContext) async throws -> ListAccessesResponse {
        let owner = try Self.owner(named: request.owner, by: try context.requirePrincipal(), privileged: .auditor)
        return ListAccessesResponse(accesses: try await store.accesses(owner: owner, ref: request.ref))
    }

    /// Whose data a call concerns. A caller holding `privileged` (an auditor, an officer) must
    /// name the owner and may name any; a startup may name only itself, or nobody.
    static func owner(named owner: OrgNumber?, by principal: Principal, privileged: Role) throws(RPCError) -> OrgNumber {
        if let owner {
            guard principal.has(privileged) || (principal.has(.startup) && principal.organisation == owner) else {
                throw RPCError(.permissionDenied, "a startup may act only on its own data")
            }
            return owner
        }
        guard principal.has(.startup), let own = principal.organisation else {
            throw RPCError.invalidField("owner", "required: name the startup (organisation number)")
        }
        return own
    }
}
