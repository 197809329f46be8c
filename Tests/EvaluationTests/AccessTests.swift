import Crypto
import Foundation
import JWTKit
import Messages
import RPC
import ServiceKit
import SQLKit
import TestServiceKit
import Testing

/// Vault access grants: to whom, for what, for how long — and that the Vault would take them.
@Suite("Access grants")
struct AccessTests {
    typealias H = EvaluationHarness

    @Test("an impartial evaluator gets a grant the Vault accepts: iss = kid = evaluation, aud tender-vault, role evaluator, the ref, expiry = clock + grantSeconds", arguments: Backend.allCases)
    func grant(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            let evaluation = try await h.open()
            try await h.panel(["ola"], applications: [H.app(0)])
            let now = Fixtures.start.adding(milliseconds: 123_456)
            h.clock.set(now)
            let (grant, events) = try await h.newEvents {
                try await h.evaluator("ola").call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: H.challenge, application: H.app(0)))
            }
            #expect(events.isEmpty, "the Vault records the read, not the grant")
            let ref = evaluation.applications[0].vaultRef
            #expect(grant.ref == ref && grant.purpose == "evaluation")
            #expect(grant.expiresAt == now.adding(milliseconds: Int64(H.grantSeconds) * 1000))

            // Verified with the public key Evaluation writes for the Vault (evaluation.pem).
            let pem = EdDSA.PublicKey(backing: h.grantKey.publicKey).pemRepresentation
            let keys = JWTKeyCollection()
            await keys.add(eddsa: try EdDSA.PublicKey(pem: pem), kid: JWKIdentifier(string: "evaluation"))
            let claims = try await keys.verify(grant.grant, as: AccessGrantClaims.self)
            let header = try JSONSerialization.jsonObject(with: try #require(Self.base64URL(String(grant.grant.split(separator: ".")[0])))) as? [String: Any]
            #expect(header?["kid"] as? String == "evaluation")
            // What the Vault's GrantRules check, at the Vault's clock = ours.
            #expect(claims.iss.value == "evaluation")
            #expect(claims.aud.value.contains(VaultAPI.grantAudience))
            #expect(claims.sub.value == "ola" && claims.role == Role.evaluator.rawValue && claims.ref == ref.rawValue && claims.purpose == "evaluation")
            #expect(claims.jti.value == grant.grantID.rawValue)
            let issued = Int64((claims.iat.value.timeIntervalSince1970 * 1000).rounded())
            let expires = Int64((claims.exp.value.timeIntervalSince1970 * 1000).rounded())
            #expect(issued == now.millisecondsSinceEpoch && expires == grant.expiresAt.millisecondsSinceEpoch)
            #expect(expires - issued <= 900_000, "within the Vault's default grantMaxSeconds")
            #expect(now.millisecondsSinceEpoch < expires && expires <= now.adding(milliseconds: 300_000).millisecondsSinceEpoch)
            // Another key does not verify it.
            let other = JWTKeyCollection()
            await other.add(eddsa: EdDSA.PublicKey(backing: Curve25519.Signing.PrivateKey().publicKey), kid: JWKIdentifier(string: "evaluation"))
            await #expect(throws: (any Error).self) { _ = try await other.verify(grant.grant, as: AccessGrantClaims.self) }
            #expect(h.log.all.contains { $0.contains("grant_id=\(grant.grantID.rawValue)") })
            #expect(!h.log.all.contains { $0.contains(grant.grant) }, "the token is never logged")
        }
    }

    @Test("no grant to an unassigned, undeclared or conflicted evaluator, nor after finalising", arguments: Backend.allCases)
    func refused(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["ola", "eva", "per"], applications: [H.app(0), H.app(1)], declare: false)
            let request = RequestAccessRequest(challenge: H.challenge, application: H.app(0))
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("mallory").call(EvaluationAPI.requestAccess, request) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("ola").call(EvaluationAPI.requestAccess, request) }
            _ = try await h.evaluator("eva").call(EvaluationAPI.declareConflict, ConflictRequest(challenge: H.challenge, application: H.app(0), ground: "board member"))
            try await h.expectRefusal(.permissionDenied) { _ = try await h.evaluator("eva").call(EvaluationAPI.requestAccess, request) }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.officer().call(EvaluationAPI.requestAccess, request) }

            for evaluator in ["ola", "per"] {
                for application in [H.app(0), H.app(1)] {
                    _ = try await h.evaluator(evaluator).call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: application))
                    try await h.score(evaluator, application, ["quality": 6, "impact": 6])
                }
            }
            // eva declared impartiality for app-1 and then became unavailable: removed, no grant.
            _ = try await h.evaluator("eva").call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: H.challenge, application: H.app(1)))
            _ = try await h.evaluator("eva").call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: H.challenge, application: H.app(1)))
            _ = try await h.officer().call(EvaluationAPI.removeEvaluator, RemoveEvaluatorRequest(challenge: H.challenge, evaluator: "eva", application: H.app(1), reason: "On leave until the spring."))
            let removed = try await h.expectRefusal(.permissionDenied) {
                _ = try await h.evaluator("eva").call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: H.challenge, application: H.app(1)))
            }
            #expect(removed?.message == "eva was removed from application app-1")
            _ = try await h.evaluator("ola").call(EvaluationAPI.requestAccess, request)
            _ = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            try await h.expectRefusal(.failedPrecondition) { _ = try await h.evaluator("ola").call(EvaluationAPI.requestAccess, request) }
        }
    }

    @Test("RequestAccess is idempotent: an idempotency-key is ignored, so no grant is stored or replayed — not before finalising, not after — and no token is in any table", arguments: Backend.allCases)
    func noReplay(_ backend: Backend) async throws {
        try await H.run(backend) { h in
            try await h.open(budgets: [500_000, 400_000])
            try await h.panel(["ola", "eva"])
            let keyed = try await h.evaluator("ola", idempotencyKey: "grant-app-0")
            let request = RequestAccessRequest(challenge: H.challenge, application: H.app(0))
            let first = try await keyed.call(EvaluationAPI.requestAccess, request)
            h.clock.set(Fixtures.start.adding(milliseconds: 1000))
            let second = try await keyed.call(EvaluationAPI.requestAccess, request)
            #expect(second.grantID != first.grantID && second.grant != first.grant, "checked afresh and issued anew, not replayed")
            #expect(second.expiresAt == first.expiresAt.adding(milliseconds: 1000))
            for application in [H.app(0), H.app(1)] {
                try await h.score("ola", application, ["quality": 6, "impact": 6])
                try await h.score("eva", application, ["quality": 7, "impact": 6])
            }
            _ = try await h.officer().call(EvaluationAPI.finalize, FinalizeRequest(challenge: H.challenge))
            let error = try await h.expectRefusal(.failedPrecondition) { _ = try await keyed.call(EvaluationAPI.requestAccess, request) }
            #expect(error?.message == "the evaluation of \(H.challenge) is finalised: nothing changes")

            let texts = try await h.storedTexts()
            for grant in [first, second] {
                let signature = String(grant.grant.split(separator: ".").last ?? "")
                #expect(!texts.contains { $0.contains(grant.grant) || $0.contains(signature) }, "no grant token is stored anywhere")
                #expect(texts.contains(grant.grantID.rawValue), "the grant is kept by its id")
            }
            let keys = try await h.database.sql.raw("SELECT scope FROM idempotency_keys").all().map { try $0.decode(column: "scope", as: String.self) }
            #expect(!keys.contains { $0.hasPrefix(EvaluationAPI.requestAccess.path) }, "\(keys)")
        }
    }

    static func base64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
