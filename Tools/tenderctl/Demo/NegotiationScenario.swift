import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import Synchronization

/// The dialogue half of the accelerator, played over HTTP/2 on the driven clock: one
/// confidential dialogue per shortlisted startup, messages and minutes in the Vault, a
/// clarification to all at once, versioned offers, a pilot each with measured results and a
/// go / no-go from the thresholds, then the award of two agreements (a purchase and an
/// innovation partnership with two phases), a complaint during the standstill period, the
/// signing once the standstill has run out, and the partnership's first gate. The other two
/// dialogues are still negotiating at the end.
struct NegotiationScenario: DrivenDemoScenario {
    let negotiation: RPCClient
    let vault: RPCClient
    let issuer: LocalTokenIssuer
    let clockFile: String
    let challenge: ChallengeID
    let startups: [SyntheticStartup]
    let result: EvaluationResult
    let progress: @Sendable (String) -> Void

    static let negotiators = ["neg.hanne", "neg.lars"]

    struct Outcome: Sendable {
        var dialogues: [Dialogue]
        var award: Award
        var clarification: Clarification
        var complaint: Complaint
        var earlySigning: String
        var reads: Int
        var expectedEvents: [EventType: Int]
    }

    /// Deposits `text` in the Vault as `field` of `owner`'s dialogue content: by the startup
    /// itself (`owner` nil) or by the municipality's `token` for the startup.
    func deposit(_ text: String, field: String, token: String, for owner: OrgNumber? = nil, mediaType: String = "text/plain") async throws -> DepositReceipt {
        try await mutate(vault, VaultAPI.deposit, DepositRequest(challenge: challenge, field: field, bytes: Data(text.utf8), mediaType: mediaType, owner: owner), token: token).receipt
    }

    /// Asks Negotiation for a grant to `ref` of `dialogue` and opens it in the Vault.
    func open(_ ref: VaultRef, of dialogue: DialogueID, token: String) async throws -> String {
        let grant = try await read(negotiation, NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: dialogue, ref: ref), token: token)
        let opened = try await read(vault, VaultAPI.open, OpenRequest(ref: ref, grant: grant.grant), token: token)
        guard let bytes = opened.bytes else { throw DemoFailure("the Vault returned no content for \(ref)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    func run() async throws -> Outcome {
        let officer = try await token(.officer, IntakeScenario.officer)
        var negotiatorTokens: [String: String] = [:]
        for negotiator in Self.negotiators { negotiatorTokens[negotiator] = try await token(.negotiator, negotiator) }
        let byOrg = Dictionary(uniqueKeysWithValues: startups.map { ($0.org, $0) })
        let reads = Atomic<Int>(0)

        // 1. One dialogue per shortlisted startup, pulled from Evaluation; two negotiators
        //    share them.
        let opened = try await mutate(negotiation, NegotiationAPI.openDialogues, OpenDialoguesRequest(challenge: challenge, negotiators: [Self.negotiators[0]]), token: officer)
        guard opened.dialogues.count == result.shortlist.count, Set(opened.dialogues.map(\.application)) == Set(result.shortlist) else {
            throw DemoFailure("Negotiation opened \(opened.dialogues.count) dialogues for a shortlist of \(result.shortlist.count)")
        }
        var dialogues = opened.dialogues.sorted { $0.rank < $1.rank }
        for index in dialogues.indices where index >= 2 {
            dialogues[index] = try await mutate(negotiation, NegotiationAPI.assignNegotiators, AssignNegotiatorsRequest(dialogue: dialogues[index].dialogue, negotiators: [Self.negotiators[1]]), token: officer)
        }
        struct Party: Sendable {
            var dialogue: Dialogue
            var startup: SyntheticStartup
            var startupToken: String
            var negotiator: String
            var negotiatorToken: String
        }
        var parties: [Party] = []
        for dialogue in dialogues {
            guard let startup = byOrg[dialogue.orgNumber] else { throw DemoFailure("no synthetic startup for \(dialogue.companyName)") }
            let negotiator = dialogue.negotiators[0]
            parties.append(Party(
                dialogue: dialogue, startup: startup, startupToken: try await token(.startup, startup.subject, org: startup.org),
                negotiator: negotiator, negotiatorToken: negotiatorTokens[negotiator]!))
        }
        progress("\(dialogues.count) confidential dialogues opened: " + dialogues.map { "\($0.companyName) (rank \($0.rank), \($0.negotiators.joined(separator: ", ")))" }.joined(separator: "; "))

        // 2. Round 1 in every dialogue: the negotiator reads the application in the Vault, the
        //    startup asks, the city answers — each message deposited by its author.
        let start = clock.now()
        try await concurrently(parties, width: 4) { party in
            let id = party.dialogue.dialogue
            let application = try await open(party.dialogue.applicationRef, of: id, token: party.negotiatorToken)
            guard application.contains(party.startup.theme) else { throw DemoFailure("\(party.negotiator) did not read \(party.startup.name)'s application") }
            reads.add(1, ordering: .relaxed)
            _ = try await mutate(negotiation, NegotiationAPI.scheduleRound, ScheduleRoundRequest(
                dialogue: id, scheduledAt: start.adding(milliseconds: 86_400_000), offerDeadline: start.adding(milliseconds: 5 * 86_400_000),
                agenda: "Kick-off: scope of the pilot, the data the city can share, first offer"), token: party.negotiatorToken)
            let question = try await deposit(
                "From \(party.startup.name): can our \(party.startup.theme) pilot use the depot's charging logs? Our integration relies on it (\(party.startup.canary)).",
                field: NegotiationAPI.Field.message, token: party.startupToken)
            _ = try await mutate(negotiation, NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: question), token: party.startupToken)
            let answer = try await deposit(
                "To \(party.startup.name): yes, read-only access to the depot's charging logs for the pilot period, under the data processing agreement.",
                field: NegotiationAPI.Field.message, token: party.negotiatorToken, for: party.startup.org)
            let sent = try await mutate(negotiation, NegotiationAPI.sendMessage, SendMessageRequest(dialogue: id, content: answer), token: party.negotiatorToken)
            let received = try await open(sent.ref, of: id, token: party.startupToken)
            guard received.hasPrefix("To \(party.startup.name)") else { throw DemoFailure("\(party.startup.name) could not read the city's answer") }
            reads.add(1, ordering: .relaxed)
            let offer = try await deposit(Self.offer(party.startup, version: 1), field: NegotiationAPI.Field.offer, token: party.startupToken, mediaType: "application/json")
            _ = try await mutate(negotiation, NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: offer), token: party.startupToken)
        }
        progress("round 1 scheduled in every dialogue; each negotiator read the application in the Vault; questions and answers exchanged as Vault deposits; first offers in")

        // 3. Information that concerns the competition goes to all at once, identical.
        let clarification = try await mutate(negotiation, NegotiationAPI.sendClarification, SendClarificationRequest(
            challenge: challenge,
            text: "Clarification 1 to all participants: the city's real-time bus position feed (NLOD 2.0 licence) is available to every pilot from day one; pilots must not depend on any other operator's systems."),
            token: officer)
        var noticeViews: [DialogueNotice] = []
        for party in parties {
            let seen = try await read(negotiation, NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: party.dialogue.dialogue), token: party.startupToken)
            guard let notice = seen.notices.first(where: { $0.kind == .clarification && $0.number == clarification.number }) else {
                throw DemoFailure("\(party.startup.name) did not receive clarification \(clarification.number)")
            }
            noticeViews.append(notice)
        }
        guard Set(noticeViews).count == 1, clarification.recipients.count == parties.count else {
            throw DemoFailure("the clarification did not reach every participant identically at the same moment")
        }
        progress("clarification \(clarification.number) sent to all \(clarification.recipients.count) dialogues at \(clarification.sentAt.iso8601): identical text, digest \(clarification.digest.hex.prefix(12))…, same time")

        // 4. A day later the round-1 meetings; minutes deposited by the negotiator for the
        //    startup; revised offers after the clarification.
        try advance(days: 1)
        try await concurrently(parties, width: 4) { party in
            let id = party.dialogue.dialogue
            let minutes = try await deposit(
                "Minutes, round 1 with \(party.startup.name): scope agreed, data access via the bus position feed, pilot metrics to be defined.",
                field: NegotiationAPI.Field.minutes, token: party.negotiatorToken, for: party.startup.org)
            _ = try await mutate(negotiation, NegotiationAPI.recordMeeting, RecordMeetingRequest(
                dialogue: id, round: 1, heldAt: clock.now(), attendance: [party.negotiator, party.startup.contact.name], minutes: minutes), token: party.negotiatorToken)
            let offer = try await deposit(Self.offer(party.startup, version: 2), field: NegotiationAPI.Field.offer, token: party.startupToken, mediaType: "application/json")
            _ = try await mutate(negotiation, NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: id, offer: offer), token: party.startupToken)
        }
        progress("round-1 meetings held and minuted in the Vault; revised offers (version 2) from all four")

        // 5. "The experiment is the new study": a 30-day pilot in each dialogue.
        let metrics = [
            PilotMetric(name: "on-time departures", threshold: 950, unit: "‰", goal: .atLeast),
            PilotMetric(name: "passenger complaints", threshold: 12, unit: "per month", goal: .atMost),
            PilotMetric(name: "energy per vehicle-km", threshold: 1_150, unit: "Wh", goal: .atMost),
        ]
        try await concurrently(parties, width: 4) { party in
            _ = try await mutate(negotiation, NegotiationAPI.definePilot, DefinePilotRequest(
                dialogue: party.dialogue.dialogue, hypothesis: "\(party.startup.theme.capitalized) raises punctuality on the outer routes without more energy use",
                metrics: metrics, durationDays: 30, budgetCap: Money(kroner: 250_000)), token: party.negotiatorToken)
        }
        try advance(days: 30)
        let pilots = try await withThrowingTaskGroup(of: (DialogueID, Pilot).self) { group in
            for (index, party) in parties.enumerated() {
                group.addTask {
                    // The third misses its punctuality threshold; the others meet all three.
                    let measured = [
                        MetricMeasurement(metric: "on-time departures", value: index == 2 ? 921 : 962 + Int64(index)),
                        MetricMeasurement(metric: "passenger complaints", value: 7 + Int64(index)),
                        MetricMeasurement(metric: "energy per vehicle-km", value: 1_040 + 20 * Int64(index)),
                    ]
                    let report = try await deposit(
                        "Pilot report of \(party.startup.name): raw measurements, route-level data and incident notes (\(party.startup.canary)).",
                        field: NegotiationAPI.Field.pilotReport, token: party.startupToken)
                    _ = try await mutate(negotiation, NegotiationAPI.reportPilotResult, ReportPilotResultRequest(
                        dialogue: party.dialogue.dialogue, pilot: 1, measurements: measured, report: report), token: party.startupToken)
                    let decided = try await mutate(negotiation, NegotiationAPI.decidePilot, DecidePilotRequest(dialogue: party.dialogue.dialogue, pilot: 1), token: officer)
                    return (party.dialogue.dialogue, decided)
                }
            }
            return try await group.reduce(into: [DialogueID: Pilot]()) { $0[$1.0] = $1.1 }
        }
        let goes = pilots.values.filter { $0.decision?.decision == .go }.count
        guard goes == 3, let noGo = parties.first(where: { pilots[$0.dialogue.dialogue]?.decision?.decision == .noGo }) else {
            throw DemoFailure("expected three pilots to go and one not, from the thresholds")
        }
        progress("pilots reported after 30 days: \(goes) go, 1 no-go (\(noGo.startup.name): \(pilots[noGo.dialogue.dialogue]?.decision?.reason ?? "")), each decided from the thresholds")

        // 6. Round 2 with the two frontrunners: final offers by the deadline; one late
        //    revision does not count.
        let finalists = Array(parties.prefix(2))
        let deadline = clock.now().adding(milliseconds: 2 * 86_400_000)
        for party in finalists {
            _ = try await mutate(negotiation, NegotiationAPI.scheduleRound, ScheduleRoundRequest(
                dialogue: party.dialogue.dialogue, scheduledAt: clock.now().adding(milliseconds: 86_400_000), offerDeadline: deadline,
                agenda: "Final offer and agreement terms"), token: party.negotiatorToken)
            let offer = try await deposit(Self.offer(party.startup, version: 3), field: NegotiationAPI.Field.offer, token: party.startupToken, mediaType: "application/json")
            _ = try await mutate(negotiation, NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: party.dialogue.dialogue, offer: offer), token: party.startupToken)
        }
        try advance(days: 1)
        for party in finalists {
            let minutes = try await deposit(
                "Minutes, round 2 with \(party.startup.name): final offer walked through; agreement terms settled.",
                field: NegotiationAPI.Field.minutes, token: party.negotiatorToken, for: party.startup.org)
            _ = try await mutate(negotiation, NegotiationAPI.recordMeeting, RecordMeetingRequest(
                dialogue: party.dialogue.dialogue, round: 2, heldAt: clock.now(), attendance: [party.negotiator, party.startup.contact.name], minutes: minutes), token: party.negotiatorToken)
        }
        try advance(days: 1, milliseconds: 1)
        let late = try await deposit(Self.offer(finalists[0].startup, version: 4), field: NegotiationAPI.Field.offer, token: finalists[0].startupToken, mediaType: "application/json")
        _ = try await mutate(negotiation, NegotiationAPI.submitOffer, SubmitOfferRequest(dialogue: finalists[0].dialogue.dialogue, offer: late), token: finalists[0].startupToken)
        // The officer reads the offers that count before deciding.
        for party in finalists {
            let seen = try await read(negotiation, NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: party.dialogue.dialogue), token: officer)
            guard let counting = seen.offers.last(where: { $0.countsFor.contains(2) }), counting.version == 3 else {
                throw DemoFailure("\(party.startup.name)'s offer for round 2 should be version 3 (the last before the deadline)")
            }
            let content = try await open(counting.ref, of: party.dialogue.dialogue, token: officer)
            guard content.contains("\"version\":3") else { throw DemoFailure("the officer did not read version 3 of \(party.startup.name)'s offer") }
            reads.add(1, ordering: .relaxed)
        }
        progress("round 2: final offers (version 3) by the deadline; \(finalists[0].startup.name)'s version 4 came after the deadline and does not count")

        // 7. The award: a purchase and an innovation partnership; the notice reaches all
        //    four dialogues at once and the standstill period starts.
        let now = clock.now()
        let budget = finalists[1].startup.budget
        let phases = [
            AgreementPhase(name: "Prototype in two outer districts", targets: ["on-time departures ≥ 960 ‰ on 12 routes", "integration with the ticketing back office"],
                           costCap: Money(ore: budget.ore * 2 / 5), gate: now.adding(milliseconds: 60 * 86_400_000)),
            AgreementPhase(name: "Roll-out to every outer district", targets: ["all 48 outer routes", "energy per vehicle-km ≤ 1 100 Wh"],
                           costCap: Money(ore: budget.ore - budget.ore * 2 / 5), gate: now.adding(milliseconds: 240 * 86_400_000)),
        ]
        let decisions = DecideRequest(challenge: challenge, decisions: [
            DialogueDecision(dialogue: finalists[0].dialogue.dialogue, kind: .purchase, value: Self.price(finalists[0].startup, version: 3),
                             reason: "Best final offer; the pilot met every threshold with the lowest energy use."),
            DialogueDecision(dialogue: finalists[1].dialogue.dialogue, kind: .innovationPartnership,
                             reason: "The pilot met every threshold; the solution needs development before roll-out, so it proceeds in two gated phases.",
                             phases: phases),
        ])
        let award = try await decideOnce(decisions, token: officer)
        var awardNotices: [DialogueNotice] = []
        for party in parties {
            let seen = try await read(negotiation, NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: party.dialogue.dialogue), token: party.startupToken)
            guard let notice = seen.notices.first(where: { $0.kind == .award && $0.number == award.number }) else {
                throw DemoFailure("\(party.startup.name) did not receive the award notice")
            }
            awardNotices.append(notice)
        }
        guard Set(awardNotices).count == 1 else { throw DemoFailure("the award notice differed between participants") }
        progress("award \(award.number): purchase from \(finalists[0].startup.name), innovation partnership (2 phases) with \(finalists[1].startup.name); notice to all four at \(award.decidedAt.iso8601); standstill until \(award.standstillEnd.iso8601)")

        // 8. A complaint from the runner-up outside the shortlist pauses signing; signing
        //    before the standstill has ended is refused.
        guard let fifth = result.ranking.first(where: { $0.rank == result.shortlist.count + 1 }),
              let complainant = startups.first(where: { $0.name == fifth.companyName }) else { throw DemoFailure("no fifth-ranked startup") }
        let complaint = try await mutate(negotiation, NegotiationAPI.registerComplaint, RegisterComplaintRequest(
            challenge: challenge, award: award.number, orgNumber: complainant.org,
            summary: "The price formula should have used the median budget, not the lowest."), token: officer)
        var earlySigning = ""
        do {
            _ = try await mutate(negotiation, NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: finalists[0].dialogue.dialogue), token: officer)
            throw DemoFailure("signing during the standstill period was accepted")
        } catch let error as RPCError where error.code == .failedPrecondition {
            earlySigning = error.message
        }
        let resolved = try await mutate(negotiation, NegotiationAPI.resolveComplaint, ResolveComplaintRequest(
            challenge: challenge, complaint: complaint.number, outcome: .dismissed,
            reason: "The formula is the one published in the challenge and was applied as published."), token: officer)
        progress("complaint \(complaint.number) from \(complainant.name) registered and dismissed; signing before the end of the standstill refused: \(earlySigning)")

        // 9. The standstill runs out (10 days, on the driven clock); then the agreements are signed.
        let remaining = award.standstillEnd.millisecondsSinceEpoch - clock.now().millisecondsSinceEpoch
        try advance(milliseconds: max(0, remaining))
        let waitUntil = ContinuousClock.now.advanced(by: .seconds(30))
        while try await read(negotiation, NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: challenge), token: officer).awards.first(where: { $0.number == award.number })?.status != .final {
            guard ContinuousClock.now < waitUntil else { throw DemoFailure("the standstill period did not end within 30 s of its end on the driven clock") }
            try await Task.sleep(for: .milliseconds(100))
        }
        for party in finalists {
            let signed = try await mutate(negotiation, NegotiationAPI.signAgreement, SignAgreementRequest(dialogue: party.dialogue.dialogue), token: officer)
            guard signed.status == .signed else { throw DemoFailure("\(party.startup.name)'s agreement is not signed") }
        }
        progress("standstill ended \(award.standstillEnd.iso8601); both agreements signed")

        // 10. The partnership's first gate, 60 days on: go, within the phase's cost cap.
        try advance(days: 60)
        _ = try await mutate(negotiation, NegotiationAPI.decideGate, DecideGateRequest(
            dialogue: finalists[1].dialogue.dialogue, phase: 1, decision: .go,
            reason: "Phase 1 targets met on 12 routes; the back-office integration is in production.",
            cost: Money(ore: phases[0].costCap.ore * 9 / 10)), token: officer)

        // 11. Confidentiality between dialogues: the third startup sees neither the first's
        //    dialogue nor a grant for its offer.
        let outsider = parties[2]
        let foreignOffer = try await read(negotiation, NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: finalists[0].dialogue.dialogue), token: officer).offers[0].ref
        for attempt in [
            { _ = try await read(negotiation, NegotiationAPI.getDialogue, GetDialogueRequest(dialogue: finalists[0].dialogue.dialogue), token: outsider.startupToken) },
            { _ = try await read(negotiation, NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: outsider.dialogue.dialogue, ref: foreignOffer), token: outsider.startupToken) },
            { _ = try await read(negotiation, NegotiationAPI.requestAccess, DialogueAccessRequest(dialogue: finalists[0].dialogue.dialogue, ref: foreignOffer), token: outsider.startupToken) },
        ] as [@Sendable () async throws -> Void] {
            do {
                try await attempt()
                throw DemoFailure("\(outsider.startup.name) reached another startup's dialogue")
            } catch let error as RPCError where [.notFound, .permissionDenied].contains(error.code) {}
        }
        progress("\(outsider.startup.name) asked for another startup's dialogue and offer: refused")

        let final = try await read(negotiation, NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: challenge), token: officer)
        let signed = final.dialogues.filter { $0.status == .signed }.count
        let negotiating = final.dialogues.filter { $0.status == .negotiating }.count
        guard signed == 2, negotiating == 2 else { throw DemoFailure("expected 2 signed and 2 negotiating, found \(signed) and \(negotiating)") }

        let offers = parties.count * 2 + finalists.count + 1
        let expected: [EventType: Int] = [
            .dialogueOpened: parties.count, .roundHeld: parties.count + finalists.count, .clarificationSent: 1,
            .offerReceived: offers, .pilotDefined: parties.count, .pilotResultRecorded: parties.count, .pilotDecided: parties.count,
            .awardDecided: 1, .standstillStarted: 1, .standstillEnded: 1, .complaintRegistered: 1, .complaintResolved: 1,
            .agreementSigned: finalists.count, .phaseGateDecided: 1, .confidentialDataAccessed: reads.load(ordering: .relaxed),
        ]
        return Outcome(
            dialogues: final.dialogues.sorted { $0.rank < $1.rank }, award: award, clarification: clarification,
            complaint: resolved, earlySigning: earlySigning, reads: reads.load(ordering: .relaxed), expectedEvents: expected)
    }

    /// Decides the award. Should Negotiation die around the award, a retry with the same
    /// idempotency key may find the call still marked in progress (`aborted`): then the
    /// award is read back if it was committed, or decided afresh if it was not — never twice
    /// (a dialogue already awarded refuses a second decision).
    func decideOnce(_ request: DecideRequest, token: String) async throws -> Award {
        let dialogues = Set(request.decisions.map(\.dialogue))
        do {
            return try await mutate(negotiation, NegotiationAPI.decide, request, token: token)
        } catch let error as RPCError where error.code == .aborted {
            let until = ContinuousClock.now.advanced(by: .seconds(60))
            while true {
                let list = try await read(negotiation, NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: challenge), token: token)
                if let award = list.awards.first(where: { Set($0.decisions.map(\.dialogue)) == dialogues && $0.status != .annulled }) {
                    progress("Negotiation was restarted during the award; the award it had committed was read back")
                    return award
                }
                do {
                    return try await mutate(negotiation, NegotiationAPI.decide, request, token: token)
                } catch let again as RPCError where [.aborted, .failedPrecondition].contains(again.code) && ContinuousClock.now < until {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }

    /// An offer document: the price and terms are the startup's business secrets.
    static func offer(_ startup: SyntheticStartup, version: Int) -> String {
        #"{"company":"\#(startup.name)","version":\#(version),"priceOre":\#(price(startup, version: version).ore),"terms":"fixed price, 24 months support","marker":"\#(startup.canary)"}"#
    }

    /// Each version 2 % below the one before, from the budget applied for.
    static func price(_ startup: SyntheticStartup, version: Int) -> Money {
        Money(ore: startup.budget.ore - Int64(version - 1) * startup.budget.ore / 50)
    }
}
