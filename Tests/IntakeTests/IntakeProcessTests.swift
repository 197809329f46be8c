import Crypto
import Foundation
import Messages
import RPC
import ServiceKit
import TestServiceKit
import Testing

/// `tender-intake` and `tender-records` as real processes over HTTP/2: what Intake decides
/// arrives in the record, including the closing it does by itself at the deadline.
@Suite("Intake process")
struct IntakeProcessTests {
    @Test("publish → interest → submit over HTTP/2, the clock driven past the deadline: every event arrives in Records, intake.closed by the service")
    func endToEnd() async throws {
        let env = try TestEnvironment(name: "intake-process")
        defer { env.remove() }
        let records = try await ServiceProcess.start("tender-records", environment: try env.serviceEnvironment(name: "records"))
        let vault = Curve25519.Signing.PrivateKey()
        let keyFile = env.directory + "/vault-receipt.pub"
        try vault.publicKey.rawRepresentation.base64EncodedString().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let clockFile = env.directory + "/clock.json"
        let intake = try await ServiceProcess.start("tender-intake", environment: try env.serviceEnvironment(name: "intake", extra: [
            "RECORDS_URL": records.url, "INTAKE_VAULT_RECEIPT_KEY_FILE": keyFile, "CLOCK_FILE": clockFile, "INTAKE_AUTO_CLOSE_SECONDS": "1",
        ]))
        let transport = try HTTP2ClientTransport(url: intake.url)
        func client(_ role: Role, subject: String, organisation: OrgNumber? = nil) async throws -> RPCClient {
            RPCClient(transport: transport, tokenProvider: StaticTokenProvider(try await env.token(role, subject: subject, organisation: organisation)))
        }
        let officer = try await client(.officer, subject: "kari.officer")
        let org = Fixtures.organisations[0]
        let startup = try await client(.startup, subject: "founder", organisation: org)

        // The process's clock is the system clock (no offset yet): a timeline an hour out.
        let now = Timestamp(Date())
        let timeline = Timeline(questionsDeadline: now.adding(milliseconds: 3_600_000), applicationDeadline: now.adding(milliseconds: 7_200_000),
                                dialogueStart: now.adding(days: 10), dialogueEnd: now.adding(days: 40))
        let challenge = try await officer.call(IntakeAPI.createChallenge, CreateChallengeRequest(id: ChallengeID("smart-waste"), terms: Fixtures.terms(timeline: timeline))).id
        _ = try await officer.call(IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: challenge))
        _ = try await startup.call(IntakeAPI.registerInterest, RegisterInterestRequest(challenge: challenge, companyName: "Fjordlys AS", contact: Contact(name: "Kari", email: "kari@fjordlys.no")))
        let receipt = try await startup.call(IntakeAPI.submitApplication, SubmitApplicationRequest(
            challenge: challenge, application: Fixtures.publicPart(), confidential: try Fixtures.receipt(owner: org, challenge: challenge, key: vault)),
            options: CallOptions(idempotencyKey: "submit-1"))
        #expect(receipt.receivedAt >= now && receipt.receivedAt < timeline.applicationDeadline)

        // Two hours and a bit later (driven), the closer closes intake by itself.
        try DrivenWallClock.advance(file: clockFile, byMilliseconds: 7_300_000)
        let recordsTransport = try HTTP2ClientTransport(url: records.url)
        let reader = RPCClient(transport: recordsTransport)
        var types: [EventType] = []
        var entries: [RecordEntry] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            entries = (try? await reader.call(RecordsAPI.getEntries, GetEntriesRequest(start: 0, count: 100)).entries) ?? []
            types = entries.map(\.event.type)
            if types.count >= 4 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(types == [.challengePublished, .interestRegistered, .applicationReceived, .intakeClosed], "\(intake.log.suffix(10).joined(separator: "\n"))")
        #expect(entries.last?.event.actor == Actor(subject: "intake", role: .service))
        #expect(entries.allSatisfy { $0.event.challenge == challenge })
        let closed = try await officer.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: challenge))
        #expect(closed.status == .closed)
        #expect(!intake.log.contains { $0.contains("Sensors in every bin") }, "no submitted text in the log")

        await transport.close()
        await recordsTransport.close()
        #expect(await intake.terminate() == 0)
        #expect(await records.terminate() == 0)
    }

    @Test("a missing or malformed receipt key, or no Records URL, stops the start-up with one clear line")
    func startupRefusals() async throws {
        let env = try TestEnvironment(name: "intake-config")
        defer { env.remove() }
        let garbage = env.directory + "/garbage.pub"
        try "not a key".write(toFile: garbage, atomically: true, encoding: .utf8)
        for (extra, expected) in [
            (["INTAKE_VAULT_RECEIPT_KEY_FILE": garbage], "records.url"),
            (["RECORDS_URL": "http://127.0.0.1:1"], "intake.vaultReceiptKeyFile"),
            (["RECORDS_URL": "http://127.0.0.1:1", "INTAKE_VAULT_RECEIPT_KEY_FILE": garbage], "does not hold base64"),
        ] {
            let error = await #expect(throws: ServiceProcessError.self) {
                _ = try await ServiceProcess.start("tender-intake", environment: try env.serviceEnvironment(name: "intake", extra: extra), timeout: .seconds(20))
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        }
    }
}
