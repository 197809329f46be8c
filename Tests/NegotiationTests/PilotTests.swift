import Messages
import Negotiation
import RPC
import TestServiceKit
import Testing

@Suite("Pilots")
struct PilotTests {
    /// Fill rate ≥ 800 ‰, trips saved ≥ 20, complaints ≤ 5.
    @Test("met is at least / at most the threshold, and the thresholds give the decision and its reason", arguments: [
        ([850, 25, 3], PilotDecision.go, "all 3 metrics met their thresholds"),
        ([800, 20, 5], PilotDecision.go, "all 3 metrics met their thresholds"),
        ([799, 25, 5], PilotDecision.noGo, "1 of 3 metrics missed its threshold: fill-rate"),
        ([700, 10, 3], PilotDecision.noGo, "2 of 3 metrics missed their thresholds: fill-rate, trips-saved"),
        ([900, 30, 6], PilotDecision.noGo, "1 of 3 metrics missed its threshold: complaints"),
    ] as [([Int64], PilotDecision, String)])
    func thresholds(_ values: [Int64], _ decision: PilotDecision, _ reason: String) throws {
        let measurements = zip(Fixtures.metrics, values).map { MetricMeasurement(metric: $0.name, value: $1) }.reversed()
        let outcomes = try PilotAssessment.outcomes(Fixtures.metrics, measurements: Array(measurements))
        #expect(outcomes.map(\.metric) == Fixtures.metrics.map(\.name))
        #expect(PilotAssessment.decision(outcomes) == decision)
        #expect(PilotAssessment.reason(outcomes) == reason)
    }

    @Test("measurements: exactly one per metric", arguments: [
        ([("fill-rate", 1), ("trips-saved", 1)], "measurements"),
        ([("fill-rate", 1), ("trips-saved", 1), ("complaints", 1), ("noise", 1)], "measurements[3].metric"),
        ([("fill-rate", 1), ("fill-rate", 2), ("trips-saved", 1), ("complaints", 1)], "measurements[1].metric"),
    ] as [([(String, Int64)], String)])
    func measurementShape(_ values: [(String, Int64)], _ field: String) {
        do {
            _ = try PilotAssessment.outcomes(Fixtures.metrics, measurements: values.map { MetricMeasurement(metric: $0.0, value: $0.1) })
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidArgument && error.fieldPath == field)
        }
    }

    /// An officer defines the fixtures' pilot in dialogue 0 and the startup reports `values`.
    static func reported(_ h: NegotiationHarness, _ values: [Int64]) async throws -> (DialogueID, Pilot) {
        try await h.open()
        let id = try await h.id(0)
        let pilot = try await h.negotiator().call(NegotiationAPI.definePilot, DefinePilotRequest(
            dialogue: id, hypothesis: "Sensors cut collection trips by a fifth.", metrics: Fixtures.metrics, durationDays: 60, budgetCap: Money(kroner: 250_000)))
        let measurements = zip(Fixtures.metrics, values).map { MetricMeasurement(metric: $0.name, value: $1) }
        let reported = try await h.startup(0).call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
            dialogue: id, pilot: pilot.number, measurements: measurements, report: try h.receipt(0, field: NegotiationAPI.Field.pilotReport)))
        return (id, reported)
    }

    @Test("go from the thresholds, recorded with the derived reason", arguments: Backend.allCases)
    func go(_ backend: Backend) async throws {
        try await NegotiationHarness.run(backend) { h in
            let (id, reported) = try await Self.reported(h, [850, 25, 3])
            #expect(reported.result?.outcomes.allSatisfy(\.met) == true && reported.result?.reportedBy == Actor(subject: "founder-0", role: .startup))
            let (pilot, events) = try await h.newEvents {
                try await h.officer().call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1))
            }
            #expect(pilot.decision?.decision == .go && pilot.decision?.override == false && pilot.decision?.reason == "all 3 metrics met their thresholds")
            #expect(events.map(\.payload) == [.pilotDecided(PilotDecided(dialogue: id, pilot: 1, decision: .go, reason: "all 3 metrics met their thresholds", override: false))])
            let types = try await h.events().map(\.type)
            #expect(types.filter { [.pilotDefined, .pilotResultRecorded, .pilotDecided].contains($0) } == [.pilotDefined, .pilotResultRecorded, .pilotDecided])
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await h.officer().call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1))
            }
        }
    }

    @Test("no-go when a threshold is missed (at most too); going against it is an override that needs a reason")
    func override() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let (id, reported) = try await Self.reported(h, [900, 30, 6])
            #expect(reported.result?.outcomes.map(\.met) == [true, true, false])
            let officer = try await h.officer()
            try await h.expectRefusal(.invalidArgument, field: "reason") {
                _ = try await officer.call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1, decision: .go))
            }
            try await h.expectRefusal(.invalidArgument, field: "reason") {
                _ = try await officer.call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1, decision: .go, reason: "Too short"))
            }
            let reason = "Six complaints came from one street under road works; the pilot met its goal."
            let (pilot, events) = try await h.newEvents {
                try await officer.call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1, decision: .go, reason: reason))
            }
            #expect(pilot.decision?.decision == .go && pilot.decision?.override == true && pilot.decision?.reason == reason && pilot.decision?.decidedBy == "kari.officer")
            #expect(events.map(\.payload) == [.pilotDecided(PilotDecided(dialogue: id, pilot: 1, decision: .go, reason: reason, override: true))])
        }
    }

    @Test("no-go from the thresholds without a decision given")
    func noGo() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            let (id, _) = try await Self.reported(h, [700, 10, 3])
            let pilot = try await h.officer().call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1))
            #expect(pilot.decision?.decision == .noGo && pilot.decision?.override == false)
            #expect(pilot.decision?.reason == "2 of 3 metrics missed their thresholds: fill-rate, trips-saved")
        }
    }

    @Test("bad definitions and reports are refused and change nothing")
    func refusals() async throws {
        try await NegotiationHarness.run(.sqlite) { h in
            try await h.open()
            let id = try await h.id(0)
            let negotiator = try await h.negotiator()
            func define(_ change: (inout DefinePilotRequest) -> Void) -> DefinePilotRequest {
                var request = DefinePilotRequest(dialogue: id, hypothesis: "Fewer trips.", metrics: Fixtures.metrics, durationDays: 30, budgetCap: Money(kroner: 1))
                change(&request)
                return request
            }
            for (request, field) in [
                (define { $0.metrics = [] }, "metrics"),
                (define { $0.metrics = Array(repeating: Fixtures.metrics[0], count: 21) }, "metrics"),
                (define { $0.metrics = [Fixtures.metrics[0], Fixtures.metrics[0]] }, "metrics[1].name"),
                (define { $0.metrics[1].unit = " " }, "metrics[1].unit"),
                (define { $0.durationDays = 0 }, "durationDays"),
                (define { $0.durationDays = 366 }, "durationDays"),
                (define { $0.budgetCap = .zero }, "budgetCap"),
                (define { $0.hypothesis = "" }, "hypothesis"),
            ] {
                try await h.expectRefusal(.invalidArgument, field: field) { _ = try await negotiator.call(NegotiationAPI.definePilot, request) }
            }
            try await h.expectRefusal(.permissionDenied) { _ = try await h.startup(0).call(NegotiationAPI.definePilot, define { _ in }) }
            _ = try await negotiator.call(NegotiationAPI.definePilot, define { _ in })
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await h.officer().call(NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: id, pilot: 1))
            }
            let report = try h.receipt(0, field: NegotiationAPI.Field.pilotReport, author: NegotiationHarness.negotiatorActor)
            try await h.expectRefusal(.invalidArgument, field: "measurements") {
                _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1, measurements: [MetricMeasurement(metric: "fill-rate", value: 1)], report: report))
            }
            try await h.expectRefusal(.notFound) {
                _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(dialogue: id, pilot: 2, measurements: [], report: report))
            }
            let all = Fixtures.metrics.map { MetricMeasurement(metric: $0.name, value: 1) }
            try await h.expectRefusal(.invalidArgument, field: "report.field") {
                _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1, measurements: all, report: try h.receipt(0, field: NegotiationAPI.Field.offer, author: NegotiationHarness.negotiatorActor)))
            }
            try await h.expectRefusal(.invalidArgument, field: "report.author") {
                _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1, measurements: all, report: try h.receipt(0, field: NegotiationAPI.Field.pilotReport)))
            }
            _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(dialogue: id, pilot: 1, measurements: all, report: report))
            try await h.expectRefusal(.failedPrecondition) {
                _ = try await negotiator.call(NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                    dialogue: id, pilot: 1, measurements: all, report: try h.receipt(0, field: NegotiationAPI.Field.pilotReport, author: NegotiationHarness.negotiatorActor)))
            }
        }
    }
}
