import Intake
import Messages
import Testing

/// The rules of a challenge's terms as pure functions: no database, no clock but a value.
@Suite("Challenge rules")
struct ChallengeRulesTests {
    let now = Fixtures.start

    @Test("weights must sum to exactly 100: the violation names terms.criteria and the sum", arguments: [[40, 30, 29], [40, 30, 31], [50, 49], [100, 1]])
    func weightsNotSummingTo100(_ weights: [Int]) {
        let error = refused { try ChallengeRules.checkPublishable(Fixtures.terms(weights: weights), now: now) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldPath == "terms.criteria")
        #expect(error?.message.contains("sum to \(weights.reduce(0, +))") == true, "\(error?.message ?? "")")
    }

    @Test("weights summing to 100 publish")
    func weightsSummingTo100() throws {
        try ChallengeRules.checkPublishable(Fixtures.terms(weights: [40, 30, 30]), now: now)
        try ChallengeRules.checkPublishable(Fixtures.terms(weights: [100]), now: now)
    }

    /// One broken term each, and the field the refusal must name.
    static let violations: [(String, @Sendable (inout ChallengeTerms) -> Void, String)] = [
        ("zero weight", { $0.criteria = [Criterion(id: "a", name: "A", weight: 0), Criterion(id: "b", name: "B", weight: 100)] }, "terms.criteria[0].weight"),
        ("negative weight", { $0.criteria = [Criterion(id: "a", name: "A", weight: -10), Criterion(id: "b", name: "B", weight: 110)] }, "terms.criteria[0].weight"),
        ("duplicate criterion id", { $0.criteria = [Criterion(id: "a", name: "A", weight: 50), Criterion(id: "a", name: "B", weight: 50)]; $0.tieBreak = TieBreak(rule: .drawOfLots) }, "terms.criteria[1].id"),
        ("invalid criterion id", { $0.criteria[0].id = "has space" }, "terms.criteria[0].id"),
        ("no criteria", { $0.criteria = [] }, "terms.criteria"),
        ("two price criteria", { $0.criteria[0].isPrice = true }, "terms.criteria"),
        ("price criterion without formula", { $0.priceFormula = .none }, "terms.priceFormula"),
        ("formula without price criterion", { $0.criteria[2].isPrice = false }, "terms.priceFormula"),
        ("tie-break on a missing criterion", { $0.tieBreak = TieBreak(rule: .highestOnCriterion, criterion: "beauty") }, "terms.tieBreak.criterion"),
        ("tie-break on no criterion", { $0.tieBreak = TieBreak(rule: .highestOnCriterion) }, "terms.tieBreak.criterion"),
        ("criterion on another tie-break", { $0.tieBreak = TieBreak(rule: .earliestApplication, criterion: "quality") }, "terms.tieBreak.criterion"),
        ("no places", { $0.places = 0 }, "terms.places"),
        ("empty scale", { $0.scale = ScoringScale(min: 10, max: 10) }, "terms.scale"),
        ("empty title", { $0.title = "" }, "terms.title"),
        ("blank title", { $0.title = "   " }, "terms.title"),
        ("long title", { $0.title = String(repeating: "t", count: 201) }, "terms.title"),
        ("long summary", { $0.summary = String(repeating: "s", count: 501) }, "terms.summary"),
        ("empty statement", { $0.problemStatement = "" }, "terms.problemStatement"),
        ("NUL in statement", { $0.problemStatement = "a\u{0}b" }, "terms.problemStatement"),
        ("questions deadline now", { $0.timeline.questionsDeadline = Fixtures.start }, "terms.timeline.questionsDeadline"),
        ("questions after applications", { $0.timeline.questionsDeadline = Fixtures.applicationDeadline.adding(milliseconds: 1) }, "terms.timeline.applicationDeadline"),
        ("applications after dialogue start", { $0.timeline.dialogueStart = Fixtures.applicationDeadline.adding(milliseconds: -1) }, "terms.timeline.dialogueStart"),
        ("dialogue ends before it starts", { $0.timeline.dialogueEnd = Fixtures.dialogueStart.adding(milliseconds: -1) }, "terms.timeline.dialogueEnd"),
        ("non-positive budget", { $0.budget = Money(ore: 0) }, "terms.budget"),
    ]

    @Test("each broken term is refused naming its field", arguments: violations.indices)
    func violation(_ index: Int) {
        let (name, breakIt, field) = Self.violations[index]
        var terms = Fixtures.terms()
        breakIt(&terms)
        let error = refused { try ChallengeRules.checkPublishable(terms, now: now) }
        #expect(error?.code == .invalidArgument, "\(name)")
        #expect(error?.fieldPath == field, "\(name): \(error?.description ?? "accepted")")
    }

    @Test("a draft need not be publishable yet, but its basic fields are checked")
    func draftChecks() throws {
        try ChallengeRules.checkDraft(Fixtures.terms(weights: [10]))
        var terms = Fixtures.terms()
        terms.places = 0
        #expect(refused { try ChallengeRules.checkDraft(terms) }?.fieldPath == "terms.places")
    }

    @Test("a deadline is open through its own millisecond and closed from the next")
    func deadlineEdges() {
        let timeline = Fixtures.terms().timeline
        #expect(timeline.acceptsApplications(at: Fixtures.applicationDeadline.adding(milliseconds: -1)))
        #expect(timeline.acceptsApplications(at: Fixtures.applicationDeadline))
        #expect(!timeline.acceptsApplications(at: Fixtures.applicationDeadline.adding(milliseconds: 1)))
        #expect(timeline.acceptsQuestions(at: Fixtures.questionsDeadline))
        #expect(!timeline.acceptsQuestions(at: Fixtures.questionsDeadline.adding(milliseconds: 1)))
        #expect(!timeline.intakeMayClose(at: Fixtures.applicationDeadline))
        #expect(timeline.intakeMayClose(at: Fixtures.applicationDeadline.adding(milliseconds: 1)))
    }

    @Test("an amendment extends deadlines and never shortens them")
    func amendmentRules() throws {
        let timeline = Fixtures.terms().timeline
        func amend(_ application: Timestamp? = nil, _ questions: Timestamp? = nil) -> RPCError? {
            refused { _ = try AmendmentRules.amended(timeline, by: AmendChallengeRequest(challenge: ChallengeID("c")!, reason: "r", changes: "c", newApplicationDeadline: application, newQuestionsDeadline: questions), now: Fixtures.start) }
        }
        let later = Fixtures.applicationDeadline.adding(days: 2)
        #expect(try AmendmentRules.amended(timeline, by: AmendChallengeRequest(challenge: ChallengeID("c")!, reason: "r", changes: "c", newApplicationDeadline: later), now: Fixtures.start).applicationDeadline == later)
        #expect(amend(Fixtures.applicationDeadline)?.fieldPath == "newApplicationDeadline", "the same deadline is no extension")
        #expect(amend(Fixtures.applicationDeadline.adding(milliseconds: -1))?.fieldPath == "newApplicationDeadline")
        #expect(amend(Fixtures.dialogueStart.adding(milliseconds: 1))?.fieldPath == "newApplicationDeadline")
        #expect(amend(nil, Fixtures.questionsDeadline.adding(milliseconds: -1))?.fieldPath == "newQuestionsDeadline")
        #expect(amend(nil, Fixtures.applicationDeadline.adding(milliseconds: 1))?.fieldPath == "newQuestionsDeadline")
        #expect(amend(later, Fixtures.applicationDeadline.adding(milliseconds: 1)) == nil, "within the extended deadline")
        #expect(refused { _ = try AmendmentRules.amended(timeline, by: AmendChallengeRequest(challenge: ChallengeID("c")!, reason: "", changes: "c"), now: Fixtures.start) }?.fieldPath == "reason")
        #expect(refused { _ = try AmendmentRules.amended(timeline, by: AmendChallengeRequest(challenge: ChallengeID("c")!, reason: "r", changes: " "), now: Fixtures.start) }?.fieldPath == "changes")
    }

    static let partViolations: [(String, @Sendable (inout ApplicationPublicPart) -> Void)] = [
        ("companyName", { $0.companyName = "" }),
        ("contact.email", { $0.contact.email = "kari.fjordlys.no" }),
        ("contact.email", { $0.contact.email = "kari@" }),
        ("contact.name", { $0.contact.name = "" }),
        ("solutionSummary", { $0.solutionSummary = String(repeating: "x", count: 2001) }),
        ("solutionSummary", { $0.solutionSummary = "bell\u{7}" }),
        ("requestedBudget", { $0.requestedBudget = Money(ore: 0) }),
        ("requestedBudget", { $0.requestedBudget = Money(kroner: 2_000_001) }),
    ]

    @Test("the public part of an application: each violation names its field", arguments: partViolations.indices)
    func publicPart(_ index: Int) throws {
        let (field, breakIt) = Self.partViolations[index]
        try ApplicationRules.check(Fixtures.publicPart(), budget: Money(kroner: 2_000_000), path: "application")
        var part = Fixtures.publicPart()
        breakIt(&part)
        #expect(refused { try ApplicationRules.check(part, budget: Money(kroner: 2_000_000), path: "application") }?.fieldPath == "application." + field)
    }
}

/// The ``RPCError`` that `body` throws, or nil when it returns.
func refused(_ body: () throws -> Void) -> RPCError? {
    do {
        try body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "not an RPCError: \(error)")
    }
}
