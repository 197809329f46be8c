/// A pilot was agreed in a dialogue: what it should show and how success is measured.
///
/// Emitted by Negotiation ("the experiment is the new study"). Pilots are numbered from 1 per
/// dialogue.
public struct PilotDefined: EventBody {
    public static let eventType = EventType.pilotDefined

    public var dialogue: DialogueID
    public var pilot: Int
    public var hypothesis: String
    public var metrics: [Metric]
    public var durationDays: Int
    public var budgetCap: Money

    public init(dialogue: DialogueID, pilot: Int, hypothesis: String, metrics: [Metric], durationDays: Int, budgetCap: Money) {
        self.dialogue = dialogue
        self.pilot = pilot
        self.hypothesis = hypothesis
        self.metrics = metrics
        self.durationDays = durationDays
        self.budgetCap = budgetCap
    }

    /// A success metric: met when the measured value is at least (or at most) the threshold.
    public struct Metric: Codable, Sendable, Hashable {
        public var name: String
        /// In ``unit``; pick a unit fine enough for an integer (‰ rather than 99.5 %).
        public var threshold: Int64
        public var unit: String
        public var goal: Goal
        public init(name: String, threshold: Int64, unit: String, goal: Goal = .atLeast) {
            self.name = name
            self.threshold = threshold
            self.unit = unit
            self.goal = goal
        }
    }

    public enum Goal: String, Codable, Sendable, Hashable, CaseIterable {
        case atLeast = "at_least"
        case atMost = "at_most"
    }
}

/// A pilot's results were recorded.
///
/// Emitted by Negotiation. Measured pilot data is the startup's confidential information and
/// lives in the Vault (report commitment and reference); the record states per metric only
/// whether its threshold was met.
public struct PilotResultRecorded: EventBody {
    public static let eventType = EventType.pilotResultRecorded

    public var dialogue: DialogueID
    public var pilot: Int
    public var outcomes: [MetricOutcome]
    /// The digest of the Vault's salted commitment to the report, never its salt.
    public var report: Digest
    public var vaultRef: VaultRef

    public init(dialogue: DialogueID, pilot: Int, outcomes: [MetricOutcome], report: Digest, vaultRef: VaultRef) {
        self.dialogue = dialogue
        self.pilot = pilot
        self.outcomes = outcomes
        self.report = report
        self.vaultRef = vaultRef
    }

    public struct MetricOutcome: Codable, Sendable, Hashable {
        /// A ``PilotDefined/Metric/name``.
        public var metric: String
        public var met: Bool
        public init(metric: String, met: Bool) {
            self.metric = metric
            self.met = met
        }
    }
}

/// The go/no-go decision on a pilot.
///
/// Emitted by Negotiation when the officer decides. `override` is true when the decision goes
/// against what the metrics showed (go although a threshold was missed, or no-go although all
/// were met); the reason must then say why.
public struct PilotDecided: EventBody {
    public static let eventType = EventType.pilotDecided

    public var dialogue: DialogueID
    public var pilot: Int
    public var decision: Decision
    public var reason: String
    public var override: Bool

    public init(dialogue: DialogueID, pilot: Int, decision: Decision, reason: String, override: Bool = false) {
        self.dialogue = dialogue
        self.pilot = pilot
        self.decision = decision
        self.reason = reason
        self.override = override
    }

    public enum Decision: String, Codable, Sendable, Hashable, CaseIterable {
        case go
        case noGo = "no_go"
    }
}
