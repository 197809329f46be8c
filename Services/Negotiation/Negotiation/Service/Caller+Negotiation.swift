public import RPC
import Messages

extension Caller {
    /// Negotiation itself, ending standstill periods by its clock.
    public static let negotiationService = Caller(subject: "negotiation", role: .service)

    /// Whether the caller may read the dialogue: officers and auditors any, a negotiator the
    /// dialogues assigned, a startup its own.
    func mayRead(_ row: NegotiationStore.DialogueRow) -> Bool {
        switch role {
        case .officer, .auditor: true
        case .negotiator: row.negotiators.contains(subject)
        case .startup: organisation == row.orgNumber
        case .evaluator, .service: false
        }
    }
}
