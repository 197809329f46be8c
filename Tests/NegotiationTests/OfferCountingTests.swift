import Messages
import Negotiation
import Testing

@Suite("Offer counting")
struct OfferCountingTests {
    static let t0 = Timestamp(iso8601: "2026-06-01T09:00:00.000Z")!

    static func offer(_ version: Int, at ms: Int64) -> Offer {
        Offer(version: version, ref: .random(), commitment: .sha256(Array("o\(version)".utf8)), submittedAt: t0.adding(milliseconds: ms), countsFor: [])
    }

    static func round(_ number: Int, deadline ms: Int64?) -> Round {
        Round(number: number, scheduledAt: t0, offerDeadline: ms.map { t0.adding(milliseconds: $0) }, agenda: "Round \(number)", heldAt: nil, attendance: nil, minutes: nil, minutesCommitment: nil)
    }

    @Test("the latest version submitted at or before the deadline counts, once the deadline has passed")
    func inclusiveToTheMillisecond() {
        let offers = [Self.offer(1, at: 0), Self.offer(2, at: 1_000), Self.offer(3, at: 1_001)]
        let rounds = [Self.round(1, deadline: 1_000)]
        #expect(OfferCounting.annotate(offers, rounds: rounds, now: Self.t0.adding(milliseconds: 1_000)).allSatisfy { $0.countsFor.isEmpty })
        let counted = OfferCounting.annotate(offers, rounds: rounds, now: Self.t0.adding(milliseconds: 1_001))
        #expect(counted.map(\.countsFor) == [[], [1], []])
        #expect(OfferCounting.countingVersion(offers, rounds: rounds, now: Self.t0.adding(milliseconds: 1_001)) == 2)
        #expect(OfferCounting.countingVersion(offers, rounds: rounds, now: Self.t0.adding(milliseconds: 1_000)) == 3)
    }

    @Test("for an award: the latest offer before any deadline has passed; none when nothing came in time for the last passed one")
    func forAnAward() {
        let rounds = [Self.round(1, deadline: 1_000), Self.round(2, deadline: 5_000), Self.round(3, deadline: nil)]
        let late = [Self.offer(1, at: 1_001)]
        #expect(OfferCounting.countingVersion([], rounds: rounds, now: Self.t0) == nil)
        #expect(OfferCounting.countingVersion(late, rounds: rounds, now: Self.t0.adding(milliseconds: 1_000)) == 1)
        #expect(OfferCounting.countingVersion(late, rounds: rounds, now: Self.t0.adding(milliseconds: 1_001)) == nil)
        #expect(OfferCounting.countingVersion(late, rounds: rounds, now: Self.t0.adding(milliseconds: 5_001)) == 1)
        let counted = OfferCounting.annotate(late + [Self.offer(2, at: 6_000)], rounds: rounds, now: Self.t0.adding(milliseconds: 9_000))
        #expect(counted.map(\.countsFor) == [[2], []])
    }
}
