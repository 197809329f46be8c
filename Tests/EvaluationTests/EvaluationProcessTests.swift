import Crypto
import Foundation
import JWTKit
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Testing

/// `tender-evaluation` with a real `tender-intake` and `tender-records` as processes over
/// HTTP/2: the evaluation is opened from Intake only once intake has closed, grants verify with
/// the key the service writes for the Vault, and every decision arrives in the record.
@Suite("Evaluation process")
struct EvaluationProcessTests {
    @Test("open refused while intake is open; after the (driven) deadline: open, panel, grant, scores, finalise — all over HTTP/2, all in Records")
    func endToEnd() async throws {
        let env = try TestEnvironment(name: "evaluation-process")
        defer { env.remove() }
        let records = try await ServiceProcess.start("tender-records", environment: try env.serviceEnvironment(name: "records"))
        let vault = Curve25519.Signing.PrivateKey()
        let receiptKeyFile = env.directory + "/vault-receipt.pub"
        try vault.publicKey.rawRepresentation.base64EncodedString().write(toFile: receiptKeyFile, atomically: true, encoding: .utf8)
        let clockFile = env.directory + "/clock.json"
        let intake = try await ServiceProcess.start("tender-intake", environment: try env.serviceEnvironment(name: "intake", extra: [
            "RECORDS_URL": records.url, "INTAKE_VAULT_RECEIPT_KEY_FILE": receiptKeyFile, "CLOCK_FILE": clockFile, "INTAKE_AUTO_CLOSE_SECONDS": "1",
        ]))
        let evaluation = try await ServiceProcess.start("tender-evaluation", environment: try env.serviceEnvironment(name: "evaluation", extra: [
            "RECORDS_URL": records.url, "INTAKE_URL": intake.url, "CLOCK_FILE": clockFile, "EVALUATION_GRANT_SECONDS": "120",
        ]))
        let intakeTransport = try HTTP2ClientTransport(url: intake.url)
        let evaluationTransport = try HTTP2ClientTransport(url: evaluation.url)
        func client(_ transport: HTTP2ClientTransport, _ role: Role, _ subject: String, organisation: OrgNumber? = nil) async throws -> RPCClient {
            RPCClient(transport: transport, tokenProvider: StaticTokenProvider(try await env.token(role, subject: subject, organisation: organisation)))
        }

        // A challenge published on Intake, two applications.
        let now = Timestamp(Date())
        let timeline = Timeline(questionsDeadline: now.adding(milliseconds: 3_600_000), applicationDeadline: now.adding(milliseconds: 7_200_000),
                                dialogueStart: now.adding(days: 10), dialogueEnd: now.adding(days: 40))
        let terms = Fixtures.terms(places: 1)
        let challenge = Fixtures.challenge(ChallengeID("smart-waste")!, terms: terms, status: .draft)
        var challengeTerms = challenge.terms
        challengeTerms.timeline = timeline
        let intakeOfficer = try await client(intakeTransport, .officer, "kari.officer")
        let id = try await intakeOfficer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: challenge.id, terms: challengeTerms)).id
        _ = try await intakeOfficer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: id))
        for (index, kroner) in [(0, Int64(500_000)), (1, Int64(400_000))] {
            let org = Fixtures.organisations[index]
            let content = Data("confidential".utf8)
            let salt = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let receipt = try DepositReceipt(
                ref: .random(), owner: org, challenge: id, field: "application",
                commitment: SaltedDigest(digest: .salted(content, salt: salt), salt: Data(salt).base64EncodedString()), depositedAt: now,
                keyID: String(Array(SHA256.hash(data: vault.publicKey.rawRepresentation)).hexString.prefix(16))).signed(with: vault)
            let part = ApplicationPublicPart(companyName: Fixtures.companies[index], contact: Contact(name: "Kari", email: "kari@example.no"),
                                             solutionSummary: "Sensors in every bin.", requestedBudget: Money(kroner: kroner))
            _ = try await client(intakeTransport, .startup, "founder-\(index)", organisation: org)
                .call(IntakeAPI.submitApplication, SubmitApplicationRequest(challenge: id, application: part, confidential: receipt))
        }

        let officer = try await client(evaluationTransport, .officer, "kari.officer")
        let open = OpenEvaluationRequest(challenge: id)
        let early = await refusal { _ = try await officer.call(EvaluationAPI.openEvaluation, open) }
        #expect(early?.code == .failedPrecondition && early?.message.contains("intake is still open") == true, "\(early.map(String.init(describing:)) ?? "")")

        // Past the deadline (driven), Intake closes by itself; then the evaluation opens.
        try DrivenWallClock.advance(file: clockFile, byMilliseconds: 7_300_000)
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try await intakeOfficer.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: id)).status != .closed, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let opened = try await officer.call(EvaluationAPI.openEvaluation, open)
        #expect(opened.terms == terms && opened.applications.map(\.companyName) == Array(Fixtures.companies.prefix(2)))
        #expect(opened.applications.map(\.price) == [Money(kroner: 500_000), Money(kroner: 400_000)])
        let applications = opened.applications.map(\.application)
        _ = try await officer.call(EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: id, evaluators: ["ola", "eva"]))
        for (evaluator, quality) in [("ola", [8, 6]), ("eva", [7, 6])] {
            let client = try await client(evaluationTransport, .evaluator, evaluator)
            for (index, application) in applications.enumerated() {
                _ = try await client.call(EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: id, application: application))
                _ = try await client.call(EvaluationAPI.submitScores, SubmitScoresRequest(challenge: id, application: application, scores: [
                    CriterionScoreInput(criterion: "quality", points: quality[index], reason: "Quality as shown."),
                    CriterionScoreInput(criterion: "impact", points: 7, reason: "Impact as shown."),
                ], done: true))
            }
        }
        // The grant verifies with evaluation.pem, which the Vault would be configured with.
        let before = Timestamp(Date()).adding(milliseconds: 7_300_000)
        let grant = try await client(evaluationTransport, .evaluator, "ola").call(EvaluationAPI.requestAccess, RequestAccessRequest(challenge: id, application: applications[0]))
        let pem = try String(contentsOfFile: env.directory + "/evaluation/evaluation.pem", encoding: .utf8)
        let keys = JWTKeyCollection()
        await keys.add(eddsa: try EdDSA.PublicKey(pem: pem), kid: JWKIdentifier(string: "evaluation"))
        let claims = try await keys.verify(grant.grant, as: AccessGrantClaims.self)
        #expect(claims.iss.value == "evaluation" && claims.sub.value == "ola" && claims.ref == opened.applications[0].vaultRef.rawValue)
        #expect(grant.expiresAt >= before.adding(milliseconds: 120_000) && grant.expiresAt <= Timestamp(Date()).adding(milliseconds: 7_300_000 + 120_000))
        let keyFile = env.directory + "/evaluation/evaluation-grant.key"
        #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)

        let result = try await officer.call(EvaluationAPI.finalize, FinalizeRequest(challenge: id))
        #expect(result.shortlist.count == 1 && result.ranking.count == 2)

        // Every decision is in the record.
        let reader = RPCClient(transport: try HTTP2ClientTransport(url: records.url))
        var types: [EventType] = []
        let recorded = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < recorded {
            types = (try? await reader.call(RecordsAPI.getEntries, GetEntriesRequest(start: 0, count: 100)).entries.map(\.event.type)) ?? []
            if types.contains(.shortlistDecided) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(types.filter { [.panelAssigned, .impartialityDeclared, .scoresFinalised, .shortlistDecided].contains($0) }
            == [.panelAssigned] + Array(repeating: .impartialityDeclared, count: 4) + [.scoresFinalised, .shortlistDecided], "\(evaluation.log.suffix(10).joined(separator: "\n"))")
        #expect(!evaluation.log.contains { $0.contains(grant.grant) || $0.contains("Quality as shown") }, "no token or reason in the log")

        await intakeTransport.close()
        await evaluationTransport.close()
        #expect(await evaluation.terminate() == 0)
        #expect(await intake.terminate() == 0)
        #expect(await records.terminate() == 0)
    }

    @Test("no Intake or Records URL, a bad setting, or no grant key in production stops the start-up with one clear line")
    func startupRefusals() async throws {
        let env = try TestEnvironment(name: "evaluation-config")
        defer { env.remove() }
        let garbage = env.directory + "/garbage.key"
        try "not a key".write(toFile: garbage, atomically: true, encoding: .utf8)
        let urls = ["RECORDS_URL": "http://127.0.0.1:1", "INTAKE_URL": "http://127.0.0.1:2"]
        for (extra, expected) in [
            (["INTAKE_URL": "http://127.0.0.1:2"], "records.url"),
            (["RECORDS_URL": "http://127.0.0.1:1"], "intake.url"),
            (urls.merging(["EVALUATION_GRANT_SECONDS": "901"]) { $1 }, "evaluation.grantSeconds"),
            (urls.merging(["EVALUATION_CONSENSUS_SPREAD": "two"]) { $1 }, "evaluation.consensusSpread"),
            (urls.merging(["EVALUATION_GRANT_KEY_FILE": garbage]) { $1 }, "does not hold a base64 Ed25519 seed"),
            (urls.merging(["ENVIRONMENT": "production"]) { $1 }, "evaluation.grantKeyFile"),
        ] {
            let error = await #expect(throws: ServiceProcessError.self) {
                _ = try await ServiceProcess.start("tender-evaluation", environment: try env.serviceEnvironment(name: "evaluation", extra: extra), timeout: .seconds(20))
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        }
    }
}
