import Crypto
import Foundation
import JWTKit
import Messages
import RPC
import TestServiceKit
import Testing
import Vault

/// Access grants (DESIGN.md §4): every way a grant can be wrong is `permission_denied`, with
/// the reason named, and nothing is read or recorded.
@Suite("Vault access grants")
struct GrantTests {
    /// A grant signed with `key` under header `kid`, with claims the test chooses.
    static func sign(_ claims: AccessGrantClaims, key: Curve25519.Signing.PrivateKey, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: key), kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test("grants that are wrong in any one way are refused with permission_denied", arguments: Backend.allCases)
    func refusals(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let ref = try await vault.deposit("CANARY-grant: our churn model").ref
            let other = try await vault.deposit("another document").ref
            let now = vault.clock.now().date
            let stranger = Curve25519.Signing.PrivateKey()
            func claims(issuer: String = "evaluation", subject: String = "eva", expires: TimeInterval = 300, issuedAt: Date? = nil) -> AccessGrantClaims {
                AccessGrantClaims(issuer: issuer, subject: subject, role: .evaluator, ref: ref, purpose: "evaluation", expires: now.addingTimeInterval(expires), issuedAt: issuedAt ?? now)
            }
            var wrongAudience = claims()
            wrongAudience.aud = AudienceClaim(value: ["tenderdialogue"])
            let cases: [(String, String, String)] = [
                ("another ref", try await vault.grant(other), "another ref"),
                ("another subject", try await vault.grant(ref, subject: "bob"), "another subject"),
                ("an unconfigured key under a trusted name", try await Self.sign(claims(), key: stranger, kid: "evaluation"), "signature"),
                ("an unknown issuer", try await AccessGrantIssuer(name: "pilot-lab", privateKey: stranger).grant(subject: "eva", role: .evaluator, ref: ref, purpose: "pilot", now: now), "not trusted"),
                ("another trusted issuer's name on a stranger's key", try await AccessGrantIssuer(name: "negotiation", privateKey: stranger).grant(subject: "eva", role: .evaluator, ref: ref, purpose: "dialogue", now: now), "signature"),
                ("iss differs from kid", try await Self.sign(claims(issuer: "negotiation"), key: vault.evaluationKey, kid: "evaluation"), "iss"),
                ("the wrong audience", try await Self.sign(wrongAudience, key: vault.evaluationKey, kid: "evaluation"), "aud"),
                ("a lifetime over the maximum", try await vault.grant(ref, validFor: .seconds(901)), "longer than 900"),
                ("iat beyond the skew", try await Self.sign(claims(expires: 400, issuedAt: now.addingTimeInterval(31)), key: vault.evaluationKey, kid: "evaluation"), "future"),
                ("a role the caller lacks", try await vault.grant(ref, role: .negotiator), "role"),
                ("no kid", try await Self.signWithoutKeyID(claims(), key: vault.evaluationKey), "kid"),
                ("garbage", "not.a.grant", "malformed"),
            ]
            // A trusted issuer outside its part of the process: Evaluation granting a
            // negotiator (who holds that role).
            let outsideItsPart = await expectRPCError(.permissionDenied, "evaluation granting a negotiator") {
                try await vault.open(ref, subject: "nils", role: .negotiator, grant: try await vault.grant(ref, subject: "nils", role: .negotiator, purpose: "dialogue"))
            }
            #expect(outsideItsPart?.message.contains("may not grant the role negotiator") == true, "\(outsideItsPart?.message ?? "")")
            for (name, grant, reason) in cases {
                let error = await expectRPCError(.permissionDenied, "\(name)") { try await vault.open(ref, grant: grant) }
                #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "")")
                #expect(error?.message.contains("CANARY") == false)
            }
            #expect(try await vault.count("vault_accesses") == 0)
            #expect(try await vault.count("outbox") == 0)
        }
    }

    @Test("expiry is judged by the injected clock: open 1 ms before exp, refused at exp and 1 ms after", arguments: Backend.allCases)
    func expiry(_ backend: Backend) async throws {
        try await VaultHarness.with(backend) { vault in
            let ref = try await vault.deposit("expiring").ref
            let issued = vault.clock.now()
            let grant = try await vault.grant(ref, validFor: .seconds(300))
            let expires = issued.adding(milliseconds: 300_000)
            vault.clock.set(expires.adding(milliseconds: -1))
            #expect(try await vault.open(ref, grant: grant).bytes == Data("expiring".utf8))
            vault.clock.set(expires)
            let atExpiry = await expectRPCError(.permissionDenied) { try await vault.open(ref, grant: grant) }
            #expect(atExpiry?.message.contains("expired") == true)
            vault.clock.set(expires.adding(milliseconds: 1))
            let after = await expectRPCError(.permissionDenied) { try await vault.open(ref, grant: grant) }
            #expect(after?.message.contains("expired") == true)
            #expect(try await vault.count("vault_accesses") == 1, "only the read before expiry is recorded")
        }
    }

    @Test("a grant's lifetime limit is configurable; the iat skew allows 30 s")
    func lifetimeAndSkew() async throws {
        try await VaultHarness.with(.sqlite, grantMaxSeconds: 60) { vault in
            let ref = try await vault.deposit("short").ref
            await expectRPCError(.permissionDenied) { try await vault.open(ref, grant: try await vault.grant(ref, validFor: .seconds(61))) }
            #expect(try await vault.open(ref, grant: try await vault.grant(ref, validFor: .seconds(60))).bytes == Data("short".utf8))
            // Issued 30 s ahead of the Vault's clock (the issuer's clock runs fast): accepted.
            let ahead = try await vault.evaluation.grant(subject: "eva", role: .evaluator, ref: ref, purpose: "evaluation", validFor: .seconds(60), now: vault.clock.now().adding(milliseconds: 30_000).date)
            #expect(try await vault.open(ref, grant: ahead).bytes == Data("short".utf8))
        }
    }

    /// The rule table, without RPC or storage.
    @Test("GrantRules: the checks in isolation")
    func rules() throws {
        let ref = VaultRef.random()
        let now = Timestamp(millisecondsSinceEpoch: 1_772_442_000_000)
        let caller = Principal(subject: "eva", roles: [.evaluator], expiresAt: now.adding(milliseconds: 3_600_000))
        let good = AccessGrantClaims(issuer: "evaluation", subject: "eva", role: .evaluator, ref: ref, purpose: "evaluation", expires: now.adding(milliseconds: 300_000).date, issuedAt: now.date)
        let grant = try GrantRules.check(good, issuer: "evaluation", ref: ref, caller: caller, now: now, maxLifetimeSeconds: 900)
        #expect(grant.reader == Actor(subject: "eva", role: .evaluator) && grant.issuer == "evaluation" && grant.purpose == "evaluation")
        #expect(throws: GrantRefusal.self) { try GrantRules.check(good, issuer: "negotiation", ref: ref, caller: caller, now: now, maxLifetimeSeconds: 900) }
        #expect(throws: GrantRefusal.self) { try GrantRules.check(good, issuer: "evaluation", ref: VaultRef.random(), caller: caller, now: now, maxLifetimeSeconds: 900) }
        #expect(throws: GrantRefusal.self) { try GrantRules.check(good, issuer: "evaluation", ref: ref, caller: caller, now: now.adding(milliseconds: 300_000), maxLifetimeSeconds: 900) }
        #expect(throws: GrantRefusal.self) { try GrantRules.check(good, issuer: "evaluation", ref: ref, caller: caller, now: now, maxLifetimeSeconds: 299) }
        var unprintable = good
        unprintable.purpose = "eval\u{0}uation"
        #expect(throws: GrantRefusal.self) { try GrantRules.check(unprintable, issuer: "evaluation", ref: ref, caller: caller, now: now, maxLifetimeSeconds: 900) }
        var auditorRole = good
        auditorRole.role = Role.auditor.rawValue
        let auditorCaller = Principal(subject: "eva", roles: [.evaluator, .auditor], expiresAt: caller.expiresAt)
        #expect(throws: GrantRefusal("names no reader role")) { try GrantRules.check(auditorRole, issuer: "evaluation", ref: ref, caller: auditorCaller, now: now, maxLifetimeSeconds: 900) }

        // A startup reads under a grant only what its organisation owns.
        let owner = OrgNumber("923609016")!
        let startupRole = AccessGrantClaims(issuer: "negotiation", subject: "eva", role: .startup, ref: ref, purpose: "dialogue", expires: now.adding(milliseconds: 300_000).date, issuedAt: now.date)
        let founder = Principal(subject: "eva", roles: [.startup], organisation: owner, expiresAt: caller.expiresAt)
        let startupGrant = try GrantRules.check(startupRole, issuer: "negotiation", ref: ref, caller: founder, now: now, maxLifetimeSeconds: 900)
        #expect(startupGrant.reader == Actor(subject: "eva", role: .startup))
        try GrantRules.checkOwner(startupGrant, owner: owner, caller: founder)
        #expect(throws: GrantRefusal("a startup may read only its own content")) {
            try GrantRules.checkOwner(startupGrant, owner: OrgNumber("974760673")!, caller: founder)
        }
        let noOrganisation = Principal(subject: "eva", roles: [.startup], expiresAt: caller.expiresAt)
        #expect(throws: GrantRefusal.self) { try GrantRules.checkOwner(startupGrant, owner: owner, caller: noOrganisation) }
        // Other readers open whichever owner's content their grant names.
        try GrantRules.checkOwner(grant, owner: owner, caller: caller)
    }

    @Test("reader roles and each issuer's default roles")
    func roleTables() {
        #expect(GrantRules.readerRoles == [.evaluator, .negotiator, .officer, .startup])
        #expect(GrantRules.defaultRoles(forIssuer: "evaluation") == [.evaluator])
        #expect(GrantRules.defaultRoles(forIssuer: "negotiation") == [.negotiator, .officer, .startup])
        #expect(GrantRules.defaultRoles(forIssuer: "pilot-lab") == nil)
    }

    /// A grant whose JWS header has no `kid`.
    static func signWithoutKeyID(_ claims: AccessGrantClaims, key: Curve25519.Signing.PrivateKey) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: key))
        return try await keys.sign(claims)
    }
}
