public import Messages

/// Which version of a startup's offer counts (DESIGN.md §5, Negotiation): for a round with an
/// offer deadline, the latest version submitted at or before that deadline — to the
/// millisecond, inclusive — once the deadline has passed. Until it has passed, a later
/// version may still arrive in time, so nothing counts for that round yet.
public enum OfferCounting {
    /// `offers` with ``Offer/countsFor`` filled in from `rounds` as of `now`.
    public static func annotate(_ offers: [Offer], rounds: [Round], now: Timestamp) -> [Offer] {
        var annotated = offers.map { offer in
            var offer = offer
            offer.countsFor = []
            return offer
        }
        for round in rounds {
            guard let deadline = round.offerDeadline, deadline < now, let index = latest(annotated, by: deadline) else { continue }
            annotated[index].countsFor.append(round.number)
        }
        return annotated
    }

    /// The version an award is decided on: the latest submitted at or before the most recent
    /// offer deadline that has passed; the latest of all when no deadline has passed yet. Nil
    /// when there is none (no offer, or none by that deadline).
    public static func countingVersion(_ offers: [Offer], rounds: [Round], now: Timestamp) -> Int? {
        let passed = rounds.compactMap(\.offerDeadline).filter { $0 < now }
        guard let deadline = passed.max() else { return offers.max { $0.version < $1.version }?.version }
        return latest(offers, by: deadline).map { offers[$0].version }
    }

    /// The index of the latest version submitted at or before `deadline`.
    static func latest(_ offers: [Offer], by deadline: Timestamp) -> Int? {
        offers.indices.filter { offers[$0].submittedAt <= deadline }.max { offers[$0].version < offers[$1].version }
    }
}
