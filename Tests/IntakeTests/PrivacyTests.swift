import Messages
import RPC
import TestServiceKit
import Testing

/// What startups write stays out of logs and error messages; only ids are logged.
@Suite("Privacy of submitted text")
struct PrivacyTests {
    @Test("canaries planted in every free-text field appear in no log line and no error message", arguments: Backend.allCases)
    func canaries(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let canary = { (field: String) in "CANARY-\(field)-5d1e" }
            let startup = try await intake.startup(0)
            var errors: [RPCError] = []

            _ = try await startup.call(IntakeAPI.registerInterest, RegisterInterestRequest(
                challenge: challenge, companyName: canary("interest-company"), contact: Contact(name: canary("contact-name"), email: "kari@" + canary("domain"))))
            let question = try await startup.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: canary("question")))
            _ = try await intake.officer().call(IntakeAPI.answerQuestion, AnswerQuestionRequest(
                challenge: challenge, questionID: question.id, publishedQuestion: canary("published-question"), answer: canary("answer")))
            let part = ApplicationPublicPart(
                companyName: canary("company"), contact: Contact(name: canary("applicant"), email: canary("mail") + "@x.no", phone: canary("phone")),
                solutionSummary: canary("summary"), requestedBudget: Money(kroner: 1))
            let receipt = try await intake.submit(0, to: challenge, part: part)
            var amended = part
            amended.solutionSummary = canary("amended-summary")
            _ = try await startup.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: receipt.application, publicPart: amended))

            // Refusals whose request carries the text.
            var tooLong = part
            tooLong.solutionSummary = canary("refused-summary") + String(repeating: "x", count: 2000)
            var badMail = part
            badMail.contact.email = canary("refused-mail")
            for refused in [tooLong, badMail] {
                if let error = await refusal(of: { _ = try await startup.call(IntakeAPI.amendApplication, AmendApplicationRequest(application: receipt.application, publicPart: refused)) }) {
                    errors.append(error)
                }
            }
            if let error = await refusal(of: { try await intake.submit(0, to: challenge, part: part) }) { errors.append(error) }
            _ = try await startup.call(IntakeAPI.withdrawApplication, WithdrawApplicationRequest(application: receipt.application, reason: canary("withdrawal")))
            intake.clock.set(Fixtures.applicationDeadline.adding(milliseconds: 1))
            if let error = await refusal(of: { try await intake.submit(1, to: challenge, part: part) }) { errors.append(error) }
            #expect(errors.map(\.code) == [.invalidArgument, .invalidArgument, .alreadyExists, .failedPrecondition])

            let logged = intake.log.all
            #expect(logged.contains { $0.contains("application received") }, "the log does record the decision")
            for line in logged + errors.map(\.description) {
                #expect(!line.contains("CANARY"), "\(line)")
            }
        }
    }

    @Test("two submissions racing for one organisation: one is received, the other already_exists", arguments: Backend.allCases)
    func concurrentDuplicates(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let results = await withTaskGroup(of: RPCError?.self) { group in
                for _ in 0..<4 { group.addTask { await refusal { try await intake.submit(0, to: challenge) } } }
                var all: [RPCError?] = []
                for await result in group { all.append(result) }
                return all
            }
            #expect(results.filter { $0 == nil }.count == 1)
            #expect(results.compactMap { $0?.code } == [.alreadyExists, .alreadyExists, .alreadyExists])
            #expect(try await intake.events().filter { $0.type == .applicationReceived }.count == 1)
        }
    }
}
