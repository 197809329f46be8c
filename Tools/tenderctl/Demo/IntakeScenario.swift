import Foundation
import Logging
import Messages
import RPC
import ServiceKit
import Synchronization

/// The intake half of the accelerator, played against a running stack over HTTP/2: a
/// challenge is published, startups register interest, ask questions and apply with their
/// secrets in the Vault; two amend, one withdraws, three are too late; intake closes.
struct IntakeScenario: DrivenDemoScenario {
    let intake: RPCClient
    let vault: RPCClient
    let issuer: LocalTokenIssuer
    let clockFile: String
    let seed: UInt64
    let progress: @Sendable (String) -> Void

    static let officer = "kari.nordmann"
    static let onTime = 80
    static let late = 3

    struct Outcome: Sendable {
        var challenge: ChallengeID
        var startups: [SyntheticStartup]
        var interest: Int
        var questionsAsked: Int
        var questionsAnswered: Int
        var amendments: Int
        var submitted: Int
        var amended: Int
        var withdrawn: Int
        var refusedLate: Int
        var shredded: Int
        var summary: IntakeSummary
        /// Events every service should have put in the record, by type.
        var expectedEvents: [EventType: Int]
    }

    func run() async throws -> Outcome {
        let startups = SyntheticStartup.make(count: Self.onTime + Self.late, seed: seed)
        let applicants = Array(startups.prefix(Self.onTime))
        let latecomers = Array(startups.suffix(Self.late))
        let officer = try await token(.officer, Self.officer)
        let start = clock.now()
        let challengeID = ChallengeID("smart-mobility-\(seed)")!

        // 1. The officer drafts and publishes the challenge.
        let terms = ChallengeTerms(
            title: "Smarter mobility for the outer districts",
            summary: "Residents far from the metro need first- and last-mile options that work in winter.",
            problemStatement: """
                Residents of the outer districts live far from the metro and trunk bus lines. Many \
                have no car; many work shifts. The city seeks solutions that make the first and \
                last mile safe, accessible and climate-friendly, tested in a short pilot before any \
                larger commitment. The experiment is the new study.
                """,
            buyer: Buyer(orgNumber: OrgNumber("974760673")!, name: "Oslo kommune, Næringsetaten"),
            criteria: [
                Criterion(id: "quality", name: "Quality and feasibility of the solution", weight: 40),
                Criterion(id: "impact", name: "Climate and social impact", weight: 20),
                Criterion(id: "team", name: "Team and capacity to run a pilot", weight: 15),
                Criterion(id: "price", name: "Price of the pilot", weight: 25, isPrice: true),
            ],
            scale: ScoringScale(min: 0, max: 10), priceFormula: .linear, normalisation: false,
            tieBreak: TieBreak(rule: .highestOnCriterion, criterion: "quality"), places: 4,
            timeline: Timeline(
                questionsDeadline: start.adding(days: 14), applicationDeadline: start.adding(days: 21),
                dialogueStart: start.adding(days: 35), dialogueEnd: start.adding(days: 95)),
            budget: Money(kroner: 1_500_000))
        let draft = try await mutate(intake, IntakeAPI.createChallenge, CreateChallengeRequest(id: challengeID, terms: terms), token: officer)
        let published = try await mutate(intake, IntakeAPI.publishChallenge, PublishChallengeRequest(challenge: draft.id), token: officer)
        progress("published \"\(published.terms.title)\" (\(published.id)): 4 criteria, weights 40/20/15/25, linear price formula, 4 places; applications until \(published.timeline.applicationDeadline.iso8601)")

        // 2. Three in four register interest, so amendments reach them.
        let interested = applicants.filter { $0.index % 4 != 3 } + latecomers
        let tokens = try await startupTokens(startups)
        try await concurrently(interested, width: 8) { startup in
            _ = try await mutate(intake, IntakeAPI.registerInterest, RegisterInterestRequest(challenge: challengeID, companyName: startup.name, contact: startup.contact), token: tokens[startup.org]!)
        }
        progress("\(interested.count) startups registered interest")

        // 3. Questions before the questions deadline; answered to all, anonymised.
        try advance(days: 3)
        let askers = applicants.filter { $0.index % 10 == 1 }
        var asked: [Question] = []
        for (n, startup) in askers.enumerated() {
            let text = Self.questions[n % Self.questions.count] + " (asked by \(startup.name))"
            asked.append(try await mutate(intake, IntakeAPI.askQuestion, AskQuestionRequest(challenge: challengeID, question: text), token: tokens[startup.org]!))
        }
        let toAnswer = asked.prefix(6)
        for (n, question) in toAnswer.enumerated() {
            _ = try await mutate(intake, IntakeAPI.answerQuestion, AnswerQuestionRequest(
                challenge: challengeID, questionID: question.id, publishedQuestion: Self.questions[n % Self.questions.count],
                answer: Self.answers[n % Self.answers.count]), token: officer)
        }
        let answered = try await intake.call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challengeID)).questions.filter { $0.answer != nil }
        guard answered.count == toAnswer.count, answered.allSatisfy({ !$0.question.contains("asked by") }) else {
            throw DemoFailure("the published answers are not the \(toAnswer.count) anonymised ones")
        }
        progress("\(asked.count) questions asked, \(answered.count) answered to everyone without naming the asker")

        // 4. A numbered amendment, announced to everyone registered, extends the deadline.
        try advance(days: 4)
        let amendment = try await mutate(intake, IntakeAPI.amendChallenge, AmendChallengeRequest(
            challenge: challengeID, reason: "Questions showed the open data interface was described unclearly",
            changes: "Section 3 clarified: the real-time interface is open to all applicants. Three more days to apply.",
            newApplicationDeadline: start.adding(days: 24)), token: officer)
        guard amendment.notified == interested.count else {
            throw DemoFailure("amendment \(amendment.number) reached \(amendment.notified) startups, not the \(interested.count) registered")
        }
        progress("amendment \(amendment.number) announced to \(amendment.notified) registered startups; new deadline \(start.adding(days: 24).iso8601)")

        // 5. Eighty startups deposit their secrets in the Vault and apply with the receipt.
        try advance(days: 5)
        let receipts = Mutex<[OrgNumber: ApplicationReceipt]>([:])
        let done = Atomic<Int>(0)
        try await concurrently(applicants, width: 8) { startup in
            let token = tokens[startup.org]!
            let deposit = try await mutate(vault, VaultAPI.deposit, DepositRequest(challenge: challengeID, field: "application", bytes: startup.confidentialMaterial(), mediaType: "application/json"), token: token)
            let receipt = try await mutate(intake, IntakeAPI.submitApplication, SubmitApplicationRequest(
                challenge: challengeID,
                application: ApplicationPublicPart(companyName: startup.name, contact: startup.contact, solutionSummary: startup.summary, requestedBudget: startup.budget),
                confidential: deposit.receipt), token: token)
            guard receipt.vaultRef == deposit.ref, receipt.commitment == deposit.commitment else {
                throw DemoFailure("Intake's receipt for \(startup.name) does not name the Vault deposit")
            }
            receipts.withLock { $0[startup.org] = receipt }
            let count = done.add(1, ordering: .relaxed).newValue
            if count % 20 == 0 { progress("  \(count)/\(applicants.count) applications received") }
        }
        progress("\(applicants.count) applications received, each with a receipt (server time + digest) and its confidential part only in the Vault")

        // 6. Two amend (one with new confidential material), one withdraws and shreds.
        try advance(days: 6)
        for (n, startup) in [applicants[7], applicants[42]].enumerated() {
            let token = tokens[startup.org]!
            let original = receipts.withLock { $0[startup.org]! }
            var confidential: DepositReceipt?
            if n == 0 {
                confidential = try await mutate(vault, VaultAPI.deposit, DepositRequest(challenge: challengeID, field: "application", bytes: startup.confidentialMaterial(version: 2), mediaType: "application/json"), token: token).receipt
            }
            let amended = try await mutate(intake, IntakeAPI.amendApplication, AmendApplicationRequest(
                application: original.application,
                publicPart: ApplicationPublicPart(companyName: startup.name, contact: startup.contact, solutionSummary: startup.summary + " Now with winter trials.", requestedBudget: startup.budget),
                confidential: confidential), token: token)
            guard amended.version == 2 else { throw DemoFailure("amended application of \(startup.name) is version \(amended.version), not 2") }
        }
        let leaving = applicants[13]
        let leavingReceipt = receipts.withLock { $0[leaving.org]! }
        _ = try await mutate(intake, IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: leavingReceipt.application, reason: "Team committed to another project"), token: tokens[leaving.org]!)
        let shred = try await mutate(vault, VaultAPI.shred, ShredRequest(challenge: challengeID, reason: "application withdrawn"), token: tokens[leaving.org]!)
        progress("2 applications amended (version 2); \(leaving.name) withdrew and shredded its \(shred.refs) deposit(s) in the Vault")

        // 7. The deadline passes: intake closes by itself, at the deadline, with no officer.
        try advance(days: 10, hours: 1)
        let closing = ContinuousClock.now.advanced(by: .seconds(30))
        var closed = try await intake.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: challengeID))
        while closed.status != .closed {
            guard ContinuousClock.now < closing else { throw DemoFailure("intake did not close by itself within 30 s of the deadline") }
            try await Task.sleep(for: .milliseconds(100))
            closed = try await intake.call(IntakeAPI.getChallenge, GetChallengeRequest(challenge: challengeID))
        }
        // The officer's CloseIntake returns the summary of that closing.
        let summary = try await mutate(intake, IntakeAPI.closeIntake, CloseIntakeRequest(challenge: challengeID), token: officer)
        let expectedStanding = applicants.count - 1
        guard summary.applications == expectedStanding, summary.withdrawn == 1 else {
            throw DemoFailure("intake closed with \(summary.applications) applications and \(summary.withdrawn) withdrawn; expected \(expectedStanding) and 1")
        }
        let listed = try await intake.call(IntakeAPI.listApplications, ListApplicationsRequest(challenge: challengeID), options: CallOptions(token: officer)).applications
        guard listed.count == expectedStanding else { throw DemoFailure("the officer lists \(listed.count) applications, not \(expectedStanding)") }
        progress("intake closed by the service at the deadline: \(summary.applications) applications stand, \(summary.withdrawn) withdrawn")

        // 8. Three latecomers are refused without discretion, and shred what they deposited.
        var refused = 0
        var lateShreds = 0
        for startup in latecomers {
            let token = tokens[startup.org]!
            let deposit = try await mutate(vault, VaultAPI.deposit, DepositRequest(challenge: challengeID, field: "application", bytes: startup.confidentialMaterial(), mediaType: "application/json"), token: token)
            do {
                _ = try await mutate(intake, IntakeAPI.submitApplication, SubmitApplicationRequest(
                    challenge: challengeID,
                    application: ApplicationPublicPart(companyName: startup.name, contact: startup.contact, solutionSummary: startup.summary, requestedBudget: startup.budget),
                    confidential: deposit.receipt), token: token)
                throw DemoFailure("a submission after the deadline from \(startup.name) was accepted")
            } catch let error as RPCError where error.code == .failedPrecondition {
                refused += 1
            }
            _ = try await mutate(vault, VaultAPI.shred, ShredRequest(challenge: challengeID, reason: "application refused: after the deadline"), token: token)
            lateShreds += 1
        }
        progress("\(refused) submissions after the deadline refused (failed_precondition) and recorded; their deposits shredded")

        let expected: [EventType: Int] = [
            .challengePublished: 1, .interestRegistered: interested.count, .questionAnswered: toAnswer.count,
            .challengeAmended: 1, .applicationReceived: applicants.count, .applicationAmended: 2,
            .applicationWithdrawn: 1, .applicationRejectedLate: refused, .intakeClosed: 1,
            .confidentialDataShredded: 1 + lateShreds,
        ]
        return Outcome(
            challenge: challengeID, startups: startups, interest: interested.count, questionsAsked: asked.count,
            questionsAnswered: answered.count, amendments: 1, submitted: applicants.count, amended: 2, withdrawn: 1,
            refusedLate: refused, shredded: 1 + lateShreds, summary: summary, expectedEvents: expected)
    }

    func startupTokens(_ startups: [SyntheticStartup]) async throws -> [OrgNumber: String] {
        var tokens: [OrgNumber: String] = [:]
        for startup in startups { tokens[startup.org] = try await token(.startup, startup.subject, org: startup.org) }
        return tokens
    }


    static let questions = [
        "Is the real-time data interface open to all applicants?",
        "May two companies apply together as a consortium?",
        "Does the pilot budget include VAT?",
        "Can the pilot run in winter only?",
        "Who owns the data produced during the pilot?",
        "Is a Norwegian-language user interface required from day one?",
        "May we use existing bus stops for hubs?",
        "How many districts should a pilot cover?",
    ]

    static let answers = [
        "Yes. The interface is open to every applicant on equal terms; see amendment 1.",
        "Yes, with one organisation number as the applicant and the others named as partners.",
        "No. All amounts are excluding VAT.",
        "Yes, a winter-only pilot is welcome; the three-month length stands.",
        "The municipality gets a perpetual right to use the pilot data; the company keeps its own.",
        "Norwegian and English are both required when the pilot starts.",
        "Yes, after agreement with Ruter; the municipality will facilitate.",
        "At least one; more if the budget allows.",
    ]
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
