import Crypto
import Foundation
import Messages

/// Terms, organisations and times the tests share.
enum Fixtures {
    /// 2026-05-04T09:00:00Z: "now" when a test starts (intake has closed).
    static let start = Timestamp(iso8601: "2026-05-04T09:00:00.000Z")!
    static let buyer = Buyer(orgNumber: OrgNumber("974760673")!, name: "Oslo kommune")

    /// Valid organisation numbers: 9 digits whose mod-11 check digit exists.
    static let organisations: [OrgNumber] = {
        var found: [OrgNumber] = []
        var prefix = 91_000_000
        while found.count < 12 {
            let digits = String(prefix).map { Int(String($0))! }
            if let check = OrgNumber.checkDigit(forFirstEight: digits) { found.append(OrgNumber(String(prefix) + String(check))!) }
            prefix += 1
        }
        return found
    }()

    static let companies = ["Fjordlys AS", "Bybris AS", "Snøfnugg AS", "Trikkeklar AS", "Kvistkraft AS", "Havblikk AS", "Lysløype AS", "Nordnabo AS"]

    /// Quality 40, impact 30, price 30 (linear), scale 0–10, places 2.
    static func terms(
        criteria: [Criterion] = [
            Criterion(id: "quality", name: "Quality", weight: 40), Criterion(id: "impact", name: "Impact", weight: 30),
            Criterion(id: "price", name: "Price", weight: 30, isPrice: true),
        ],
        formula: PriceFormula = .linear, normalisation: Bool = false,
        tieBreak: TieBreak = TieBreak(rule: .highestOnCriterion, criterion: "quality"), places: Int = 2
    ) -> EvaluationTerms {
        EvaluationTerms(
            criteria: criteria, scale: ScoringScale(min: 0, max: 10), priceFormula: criteria.contains(where: \.isPrice) ? formula : .none,
            normalisation: normalisation, tieBreak: tieBreak, places: places)
    }

    /// The challenge as Intake would hold it, with these terms.
    static func challenge(_ id: ChallengeID, terms: EvaluationTerms, status: ChallengeStatus) -> Challenge {
        let timeline = Timeline(
            questionsDeadline: start.adding(days: -20), applicationDeadline: start.adding(days: -1),
            dialogueStart: start.adding(days: 20), dialogueEnd: start.adding(days: 50))
        let challengeTerms = ChallengeTerms(
            title: "Smart waste collection", summary: "Fewer trips, fuller bins.", problemStatement: "Trucks drive fixed routes.",
            buyer: buyer, criteria: terms.criteria, scale: terms.scale, priceFormula: terms.priceFormula, normalisation: terms.normalisation,
            tieBreak: terms.tieBreak, places: terms.places, timeline: timeline, budget: Money(kroner: 2_000_000))
        return Challenge(
            id: id, status: status, revision: 1, terms: challengeTerms, timeline: timeline, amendments: [],
            publishedAt: start.adding(days: -30), closedAt: status == .closed ? start.adding(days: -1) : nil)
    }

    /// Application `index` as Intake would list it, received `index` minutes after the first.
    static func application(_ index: Int, challenge: ChallengeID, budget: Money, status: ApplicationStatus = .received) -> Application {
        let received = start.adding(days: -10).adding(milliseconds: Int64(index) * 60_000)
        let salt = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        return Application(
            id: ApplicationID("app-\(index)")!, challenge: challenge, orgNumber: organisations[index], status: status,
            publicPart: ApplicationPublicPart(
                companyName: companies[index % companies.count], contact: Contact(name: "Kari Nordmann", email: "kari@example.no"),
                solutionSummary: "Sensors in every bin.", requestedBudget: budget),
            version: 1, commitment: SaltedDigest(digest: .sha256(Data("c\(index)".utf8)), salt: salt), vaultRef: .random(),
            receivedAt: received, updatedAt: received, digest: .sha256(Data("a\(index)".utf8)), withdrawnAt: status == .withdrawn ? received : nil)
    }
}
