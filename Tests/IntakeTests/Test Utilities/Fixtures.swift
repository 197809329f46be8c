import Crypto
import Foundation
import Messages

/// Terms, organisations and times the tests share.
enum Fixtures {
    /// 2026-03-02T09:00:00Z: "now" when a test starts.
    static let start = Timestamp(iso8601: "2026-03-02T09:00:00.000Z")!
    static let questionsDeadline = start.adding(days: 10)
    static let applicationDeadline = start.adding(days: 20)
    static let dialogueStart = start.adding(days: 30)
    static let dialogueEnd = start.adding(days: 60)

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

    static func terms(
        weights: [Int] = [40, 30, 30], budget: Money? = Money(kroner: 2_000_000),
        timeline: Timeline = Timeline(questionsDeadline: questionsDeadline, applicationDeadline: applicationDeadline, dialogueStart: dialogueStart, dialogueEnd: dialogueEnd)
    ) -> ChallengeTerms {
        let names = ["quality", "impact", "price", "team", "risk"]
        let criteria = weights.enumerated().map { index, weight in
            Criterion(id: names[index], name: names[index].capitalized, weight: weight, isPrice: names[index] == "price")
        }
        return ChallengeTerms(
            title: "Smart waste collection", summary: "Fewer trips, fuller bins.",
            problemStatement: "Oslo's waste trucks drive fixed routes whether bins are full or not.",
            buyer: buyer, criteria: criteria, scale: ScoringScale(min: 0, max: 10),
            priceFormula: criteria.contains(where: \.isPrice) ? .linear : .none, normalisation: true,
            tieBreak: TieBreak(rule: .highestOnCriterion, criterion: "quality"), places: 4, timeline: timeline, budget: budget)
    }

    static func publicPart(_ company: String = "Fjordlys AS", budget: Money = Money(kroner: 500_000), summary: String = "Sensors in every bin.") -> ApplicationPublicPart {
        ApplicationPublicPart(
            companyName: company, contact: Contact(name: "Kari Nordmann", email: "kari@fjordlys.no"),
            solutionSummary: summary, requestedBudget: budget)
    }

    /// A deposit receipt as the Vault would sign it with `key` (with `author`: content an
    /// officer or negotiator deposited for `owner`).
    static func receipt(owner: OrgNumber, challenge: ChallengeID, key: Curve25519.Signing.PrivateKey, keyID: String? = nil, author: Actor? = nil, at time: Timestamp = start) throws -> DepositReceipt {
        let content = Data("confidential".utf8)
        let salt = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let commitment = SaltedDigest(digest: .salted(content, salt: salt), salt: Data(salt).base64EncodedString())
        let id = keyID ?? String(Array(SHA256.hash(data: key.publicKey.rawRepresentation)).hexString.prefix(16))
        return try DepositReceipt(
            ref: .random(), owner: owner, challenge: challenge, field: "application", commitment: commitment,
            depositedAt: time, keyID: id, author: author).signed(with: key)
    }
}
