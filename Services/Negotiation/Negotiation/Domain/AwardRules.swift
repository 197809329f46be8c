public import Messages
import ServiceKit

/// What an award's decisions must hold (DESIGN.md §5, Negotiation: "agreement (purchase,
/// pilot contract, or innovation partnership with phases, each with targets, cost cap and a
/// stop/go gate) or no agreement, with reasons"), and the notice every participant reads.
public enum AwardRules {
    /// Checks one decision (at `decisions[index]`) and returns it as it is stored: an
    /// innovation partnership's value is the sum of its phases' cost caps.
    /// - Throws: `invalid_argument` naming the first field that breaks a rule.
    public static func checked(_ decision: DialogueDecision, at index: Int, now: Timestamp) throws(RPCError) -> DialogueDecision {
        let path = "decisions[\(index)]"
        try TextRule.check(decision.reason, path + ".reason", length: 1...2000)
        var checked = decision
        switch decision.kind {
        case .none:
            guard decision.value == nil else { throw RPCError.invalidField(path + ".value", "must be omitted when there is no agreement") }
            guard decision.phases == nil else { throw RPCError.invalidField(path + ".phases", "must be omitted when there is no agreement") }
        case .purchase, .pilotContract:
            guard let value = decision.value, value > .zero else { throw RPCError.invalidField(path + ".value", "must be more than zero") }
            guard decision.phases == nil else { throw RPCError.invalidField(path + ".phases", "only an innovation partnership has phases") }
        case .innovationPartnership:
            guard let phases = decision.phases, (1...10).contains(phases.count) else {
                throw RPCError.invalidField(path + ".phases", "an innovation partnership needs 1 to 10 phases")
            }
            var previousGate = now
            for (number, phase) in phases.enumerated() {
                let phasePath = path + ".phases[\(number)]"
                try TextRule.check(phase.name, phasePath + ".name", length: 1...200)
                guard !phase.targets.isEmpty, phase.targets.count <= 20 else {
                    throw RPCError.invalidField(phasePath + ".targets", "must hold 1 to 20 targets")
                }
                for (target, text) in phase.targets.enumerated() {
                    try TextRule.check(text, phasePath + ".targets[\(target)]", length: 1...500)
                }
                guard phase.costCap > .zero else { throw RPCError.invalidField(phasePath + ".costCap", "must be more than zero") }
                guard phase.gate > previousGate else {
                    throw RPCError.invalidField(phasePath + ".gate", number == 0 ? "must be in the future" : "must come after the previous phase's gate")
                }
                previousGate = phase.gate
            }
            guard let total = Money.sum(phases.map(\.costCap)) else { throw RPCError.invalidField(path + ".phases", "the cost caps add up beyond any amount") }
            if let value = decision.value, value != total {
                throw RPCError.invalidField(path + ".value", "must be the sum of the phases' cost caps (\(total)) or omitted")
            }
            checked.value = total
        }
        return checked
    }

    /// `decision` as ``checked(_:at:now:)`` would store it, without checking it: how a
    /// repeated request is compared with the award that stands (whose gates may have passed
    /// since, so checking it again would refuse what was accepted then).
    public static func normalised(_ decision: DialogueDecision) -> DialogueDecision {
        var normalised = decision
        if decision.kind == .innovationPartnership, decision.value == nil, let phases = decision.phases {
            normalised.value = Money.sum(phases.map(\.costCap))
        }
        return normalised
    }

    /// Checks that an innovation partnership's first gate falls after `standstillEnd`: the
    /// agreement is signed at the end of the standstill period at the earliest, and a gate is
    /// decided on a signed partnership only — a gate due before then could never be decided
    /// in time.
    /// - Throws: `invalid_argument` on `decisions[index].phases[0].gate`.
    public static func checkFirstGate(_ decision: DialogueDecision, at index: Int, standstillEnd: Timestamp) throws(RPCError) {
        guard decision.kind == .innovationPartnership, let first = decision.phases?.first, first.gate <= standstillEnd else { return }
        throw RPCError.invalidField(
            "decisions[\(index)].phases[0].gate", "must come after the standstill period ends (\(standstillEnd.iso8601)): a gate is decided on a signed agreement")
    }

    /// The award notice: the same text for every dialogue of the challenge. It names each
    /// decided company and what it is offered, and when the standstill period ends — no
    /// reasons (each startup reads its own in its dialogue's outcome).
    public static func notice(award number: Int, challenge: ChallengeID, decisions: [(companyName: String, kind: AgreementKind)], standstillEnd: Timestamp) -> String {
        let lines = decisions.map { "\($0.companyName): \(describe($0.kind))" }
        return "Award \(number) for \(challenge): \(lines.joined(separator: "; ")). "
            + "The standstill period runs until \(standstillEnd.iso8601); no agreement is signed before then."
    }

    static func describe(_ kind: AgreementKind) -> String {
        switch kind {
        case .purchase: "purchase"
        case .pilotContract: "pilot contract"
        case .innovationPartnership: "innovation partnership"
        case .none: "no agreement"
        }
    }
}
