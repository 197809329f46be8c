public import Messages

/// Derives a challenge's procurement protocol (FOA § 7-1: what was decided, when, by whom
/// and why) from its record entries.
///
/// Pure: the same entries give the same protocol, byte for byte, so an auditor holding the
/// entries can re-derive it and compare.
public enum ProtocolBuilder {
    /// - Parameters:
    ///   - challenge: The challenge; entries of other challenges are ignored.
    ///   - entries: The challenge's entries in log order.
    public static func build(challenge: ChallengeID, entries: [RecordEntry]) -> ProcurementProtocol {
        var names = ProtocolNames()
        var terms: ChallengePublished?
        var decisions: [ProtocolDecision] = []
        var accesses = 0
        var registrations = 0
        for entry in entries where entry.event.challenge == challenge {
            let event = entry.event
            names.learn(from: event.payload)
            switch event.payload {
            case .confidentialDataAccessed:
                accesses += 1
            case .interestRegistered:
                registrations += 1
            default:
                if terms == nil, case .challengePublished(let published) = event.payload { terms = published }
                let line = ProtocolLine(event.payload, names: names)
                decisions.append(ProtocolDecision(index: entry.index, event: event.id, time: event.time, actor: event.actor, type: event.type, summary: line.summary, reason: line.reason))
            }
        }
        let markdown = ProtocolMarkdown(challenge: challenge, terms: terms, decisions: decisions, confidentialAccesses: accesses, interestRegistrations: registrations).render()
        return ProcurementProtocol(challenge: challenge, title: terms?.title, decisions: decisions, confidentialAccesses: accesses, interestRegistrations: registrations, markdown: markdown)
    }
}
