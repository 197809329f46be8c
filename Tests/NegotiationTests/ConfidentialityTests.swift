import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

/// DESIGN.md §4: content lives in the Vault only. With the real Vault: what startups and the
/// municipality write reaches the other side through grants from Negotiation, and none of
/// it — nor a measured pilot value — is in Negotiation's database, its events or its logs.
@Suite("Confidentiality")
struct ConfidentialityTests {
    static let canaries = ["CANARY-OFFER-4f1c2e", "CANARY-MESSAGE-9a7b3d", "CANARY-MINUTES-2c8e5f", "CANARY-REPORT-7d1a6b"]
    /// A measured pilot value no other number in the test comes near.
    static let measured: Int64 = 987_654_321

    @Test("deposits travel through the real Vault under Negotiation's grants; no canary and no measured value in Negotiation's tables, events or logs")
    func canaries() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await TestVault.with(h) { vault in
                try await h.open()
                let id = try await h.id(0)
                let startup = Actor(subject: "founder-0", role: .startup)
                let negotiator = try await h.negotiator()

                let offer = try await vault.deposit(Self.canaries[0], for: 0, field: NegotiationAPI.Field.offer)
                _ = try await h.startup(0).call(NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: offer.receipt))
                let message = try await vault.deposit(Self.canaries[1], for: 0, field: NegotiationAPI.Field.message, by: NegotiationHarness.negotiatorActor)
                _ = try await negotiator.call(NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: message.receipt))
                _ = try await negotiator.call(NegotiationAPI.scheduleRound, ScheduleRoundRequest(dialogue: id, scheduledAt: Fixtures.start, agenda: "Kick-off"))
                let minutes = try await vault.deposit(Self.canaries[2], for: 0, field: NegotiationAPI.Field.minutes, by: NegotiationHarness.negotiatorActor)
                _ = try await negotiator.call(NegotiationAPI.recordMeeting, RecordMeetingRequest(
                    dialogue: id, round: 1, heldAt: Fixtures.start, attendance: ["nina.negotiator", "founder-0"], minutes: minutes.receipt))
                _ = try await negotiator.call(NegotiationAPI.definePilot, DefinePilotRequest(
                    dialogue: id, hypothesis: "Sensors cut trips.", metrics: [PilotMetric(name: "bins-read", threshold: 1_000, unit: "bins")], durationDays: 30,
                    budgetCap: Money(kroner: 100_000)))
                let report = try await vault.deposit(Self.canaries[3], for: 0, field: NegotiationAPI.Field.pilotReport)
                let pilot = try await h.startup(0).call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1, measurements: [MetricMeasurement(metric: "bins-read", value: Self.measured)], report: report.receipt))
                #expect(pilot.result?.outcomes == [.init(metric: "bins-read", met: true)])

                // Each side reads the other's content under a grant from Negotiation.
                let forStartup = try await h.startup(0).call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: id, ref: message.ref))
                #expect(try await vault.open(message.ref, grant: forStartup, as: startup, organisation: Fixtures.organisations[0]) == Self.canaries[1])
                let forNegotiator = try await negotiator.call(NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: id, ref: offer.ref))
                #expect(try await vault.open(offer.ref, grant: forNegotiator, as: NegotiationHarness.negotiatorActor) == Self.canaries[0])
                // A grant names its reader: another startup cannot use it.
                let other = Actor(subject: "founder-1", role: .startup)
                #expect(await refusal { _ = try await vault.open(message.ref, grant: forStartup, as: other, organisation: Fixtures.organisations[1]) } != nil)

                #expect(try await h.events().map(\.type) == [
                    .dialogueOpened, .dialogueOpened, .dialogueOpened, .offerReceived, .roundHeld, .pilotDefined, .pilotResultRecorded,
                ])
                let stored = try await h.storedTexts()
                let events = try await h.events().map { String(decoding: try $0.canonicalBytes(), as: UTF8.self) }
                for canary in Self.canaries + [String(Self.measured)] {
                    #expect(!stored.contains { $0.contains(canary) }, "\(canary) is stored by Negotiation")
                    #expect(!events.contains { $0.contains(canary) }, "\(canary) is in an event")
                    #expect(!h.log.all.contains { $0.contains(canary) }, "\(canary) is logged")
                }
            }
        }
    }

    @Test("a measured value is in no error either: a report refused for a missing metric names the metric only")
    func refusedReport() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            _ = try await h.negotiator().call(NegotiationAPI.definePilot, DefinePilotRequest(
                dialogue: id, hypothesis: "Sensors cut trips.", metrics: Fixtures.metrics, durationDays: 30, budgetCap: Money(kroner: 100_000)))
            let error = try await h.expectRefusal(.invalidArgument, field: "measurements[1].metric") {
                _ = try await h.startup(0).call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1,
                    measurements: [MetricMeasurement(metric: "fill-rate", value: Self.measured), MetricMeasurement(metric: "fill-rate", value: Self.measured)],
                    report: try h.receipt(0, field: NegotiationAPI.Field.pilotReport)))
            }
            #expect(error?.description.contains(String(Self.measured)) == false)
            #expect(!h.log.all.contains { $0.contains(String(Self.measured)) })
        }
    }
}
