import Foundation
import JWTKit
public import Messages
public import RPC

/// A grant that passed every check: who may read which ref, why, under whose authority.
public struct VerifiedGrant: Sendable, Hashable {
    /// The issuing service (`evaluation`, `negotiation`).
    public var issuer: String
    public var reader: Actor
    public var ref: VaultRef
    public var purpose: String
    public var id: GrantID
}

/// Why a grant was refused. The words name the check that failed, never the content.
public struct GrantRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "access grant refused: \(reason)" }

    /// What the caller gets: always `permission_denied`.
    public var rpcError: RPCError { RPCError(.permissionDenied, description) }
}

/// The rules of DESIGN.md §4 for an access grant whose signature has been verified with the
/// key of `issuer` (the JWS `kid`): "may this grant open this ref for this caller, now?"
public enum GrantRules {
    /// How far in the future a grant's `iat` may lie (the issuer's clock running ahead).
    public static let issuedAtSkewMilliseconds: Int64 = 30_000
    /// Roles a grant may name: those that may call ``VaultAPI/open``. A startup reads only
    /// content it owns (``checkOwner(_:owner:caller:)``).
    public static let readerRoles: Set<Role> = [.evaluator, .negotiator, .officer, .startup]

    /// The roles the project's own issuers may grant unless configured otherwise
    /// (`vault.grantIssuerRoles`): Evaluation grants evaluators; Negotiation grants the
    /// negotiators and officers of a dialogue, and the startup of that dialogue (to read what
    /// the municipality wrote to it). Nil for any other issuer name.
    public static func defaultRoles(forIssuer name: String) -> Set<Role>? {
        switch name {
        case "evaluation": [.evaluator]
        case "negotiation": [.negotiator, .officer, .startup]
        default: nil
        }
    }

    /// Checks `claims` and returns the grant, or throws the first rule it breaks.
    ///
    /// - Parameters:
    ///   - issuer: the issuer whose key verified the signature (the JWS `kid`).
    ///   - now: legal time (the injected clock); the grant is expired when `exp ≤ now`.
    ///   - maxLifetimeSeconds: the longest `exp − iat` accepted.
    public static func check(
        _ claims: AccessGrantClaims, issuer: String, ref: VaultRef, caller: Principal, now: Timestamp, maxLifetimeSeconds: Int
    ) throws(GrantRefusal) -> VerifiedGrant {
        guard claims.iss.value == issuer else { throw GrantRefusal("its issuer (iss) is not the key it names (kid)") }
        guard claims.aud.value.contains(VaultAPI.grantAudience) else { throw GrantRefusal("not issued for the Vault (aud)") }
        let expires = milliseconds(claims.exp.value)
        let issued = milliseconds(claims.iat.value)
        guard now < expires else { throw GrantRefusal("expired") }
        guard issued.millisecondsSinceEpoch <= now.millisecondsSinceEpoch + issuedAtSkewMilliseconds else {
            throw GrantRefusal("issued in the future (iat)")
        }
        guard expires.millisecondsSinceEpoch - issued.millisecondsSinceEpoch <= Int64(maxLifetimeSeconds) * 1000 else {
            throw GrantRefusal("valid for longer than \(maxLifetimeSeconds) seconds")
        }
        guard claims.sub.value == caller.subject else { throw GrantRefusal("issued to another subject") }
        guard let role = Role(rawValue: claims.role), readerRoles.contains(role) else { throw GrantRefusal("names no reader role") }
        guard caller.has(role) else { throw GrantRefusal("names a role the caller does not hold") }
        guard claims.ref == ref.rawValue else { throw GrantRefusal("issued for another ref") }
        guard let id = GrantID(claims.jti.value) else { throw GrantRefusal("its id (jti) is malformed") }
        guard (1...200).contains(claims.purpose.utf8.count), claims.purpose.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw GrantRefusal("its purpose must be 1 to 200 printable characters")
        }
        return VerifiedGrant(issuer: issuer, reader: Actor(subject: caller.subject, role: role), ref: ref, purpose: claims.purpose, id: id)
    }

    /// Checks that `grant` may open content of `owner` for `caller`: a reader acting as a
    /// startup reads only its own organisation's content, whoever signed the grant — an
    /// issuer's mistake must not hand one startup another's secrets. Other roles read any
    /// owner's content their grant names.
    public static func checkOwner(_ grant: VerifiedGrant, owner: OrgNumber, caller: Principal) throws(GrantRefusal) {
        guard grant.reader.role == .startup else { return }
        guard caller.organisation == owner else { throw GrantRefusal("a startup may read only its own content") }
    }

    /// A JWT NumericDate to the millisecond, rounded to nearest: the claim travels as
    /// fractional seconds, and truncating `1772442000.123 × 1000` could lose the last one.
    static func milliseconds(_ date: Date) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}
