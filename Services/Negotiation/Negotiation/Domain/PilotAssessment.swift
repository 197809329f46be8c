public import Messages
import ServiceKit

/// A pilot's rules ("the experiment is the new study"): what a definition must hold, how
/// measured values meet the thresholds, and the go / no-go the thresholds give.
///
/// Errors name metrics and fields, never a measured value: those are the startup's
/// confidential pilot data and go no further than the comparison.
public enum PilotAssessment {
    /// Checks a pilot's definition.
    /// - Throws: `invalid_argument` naming the first field that breaks a rule.
    public static func check(_ request: DefinePilotRequest) throws(RPCError) {
        try TextRule.check(request.hypothesis, "hypothesis", length: 1...2000)
        guard (1...20).contains(request.metrics.count) else { throw RPCError.invalidField("metrics", "must hold 1 to 20 metrics") }
        var names = Set<String>()
        for (index, metric) in request.metrics.enumerated() {
            try TextRule.check(metric.name, "metrics[\(index)].name", length: 1...100)
            try TextRule.check(metric.unit, "metrics[\(index)].unit", length: 1...50)
            guard names.insert(metric.name).inserted else { throw RPCError.invalidField("metrics[\(index)].name", "is named twice") }
        }
        guard (1...365).contains(request.durationDays) else { throw RPCError.invalidField("durationDays", "must be 1 to 365 days") }
        guard request.budgetCap > .zero else { throw RPCError.invalidField("budgetCap", "must be more than zero") }
    }

    /// Whether each metric met its threshold: at least (or at most) the threshold. There must
    /// be exactly one measurement per metric.
    /// - Throws: `invalid_argument` on `measurements[i].metric` for an unknown or repeated
    ///   metric, on `measurements` for a missing one.
    public static func outcomes(_ metrics: [PilotMetric], measurements: [MetricMeasurement]) throws(RPCError) -> [PilotResultRecorded.MetricOutcome] {
        var measured: [String: Int64] = [:]
        for (index, measurement) in measurements.enumerated() {
            guard metrics.contains(where: { $0.name == measurement.metric }) else {
                throw RPCError.invalidField("measurements[\(index)].metric", "is not a metric of this pilot")
            }
            guard measured.updateValue(measurement.value, forKey: measurement.metric) == nil else {
                throw RPCError.invalidField("measurements[\(index)].metric", "is measured twice")
            }
        }
        return try metrics.map { metric throws(RPCError) in
            guard let value = measured[metric.name] else { throw RPCError.invalidField("measurements", "has no value for metric \(metric.name)") }
            let met = switch metric.goal {
            case .atLeast: value >= metric.threshold
            case .atMost: value <= metric.threshold
            }
            return PilotResultRecorded.MetricOutcome(metric: metric.name, met: met)
        }
    }

    /// Go when every metric met its threshold, no-go otherwise.
    public static func decision(_ outcomes: [PilotResultRecorded.MetricOutcome]) -> PilotDecision {
        outcomes.allSatisfy(\.met) ? .go : .noGo
    }

    /// The reason the thresholds give, e.g. "all 3 metrics met their thresholds" or "2 of 3
    /// metrics missed their thresholds: a, b".
    public static func reason(_ outcomes: [PilotResultRecorded.MetricOutcome]) -> String {
        let missed = outcomes.filter { !$0.met }.map(\.metric)
        if missed.isEmpty {
            return outcomes.count == 1 ? "the 1 metric met its threshold" : "all \(outcomes.count) metrics met their thresholds"
        }
        let verb = missed.count == 1 ? "missed its threshold" : "missed their thresholds"
        return "\(missed.count) of \(outcomes.count) \(outcomes.count == 1 ? "metric" : "metrics") \(verb): \(missed.joined(separator: ", "))"
    }
}
