import Foundation
import Messages
import RPC
import TestServiceKit
import Testing

/// Questions until the questions deadline, answered to all, the asker never revealed.
@Suite("Questions")
struct QuestionTests {
    @Test("questions are accepted through the deadline's millisecond and refused one after", arguments: Backend.allCases)
    func deadlineEdge(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let startup = try await intake.startup(0)
            for time in [Fixtures.questionsDeadline.adding(milliseconds: -1), Fixtures.questionsDeadline] {
                intake.clock.set(time)
                let question = try await startup.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "Which bins?"))
                #expect(question.askedAt == time && question.number == nil)
            }
            intake.clock.set(Fixtures.questionsDeadline.adding(milliseconds: 1))
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await startup.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "Too late?"))
            }
        }
    }

    @Test("answers go to everyone, numbered, anonymised; the asker appears in no response and no event", arguments: Backend.allCases)
    func anonymity(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            let asker = try await intake.startup(0)
            let officer = try await intake.officer()
            let askerOrg = Fixtures.organisations[0].rawValue
            let first = try await asker.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "We are Fjordlys AS: may we use our bins?"))
            let second = try await asker.call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "Is LoRaWAN allowed?"))
            let other = try await intake.startup(1).call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "Is there a pilot budget?"))

            // Unanswered: the officer sees all, each asker its own, the public none.
            #expect(Set(try await officer.call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge)).questions.map(\.id)) == [first.id, second.id, other.id])
            #expect(try await asker.call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge)).questions.map(\.id) == [first.id, second.id])
            #expect(try await intake.startup(1).call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge)).questions.map(\.id) == [other.id])
            #expect(try await intake.client(token: nil).call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge)).questions.isEmpty)

            intake.clock.set(Fixtures.questionsDeadline.adding(days: 1))
            let (answered, events) = try await intake.newEvents {
                try await officer.call(IntakeAPI.answerQuestion, AnswerQuestionRequest(
                    challenge: challenge, questionID: second.id, answer: "Yes, any open standard."))
            }
            #expect(answered.number == 1 && answered.question == "Is LoRaWAN allowed?")
            #expect(events.map(\.type) == [.questionAnswered])
            #expect(events.first?.payload == .questionAnswered(QuestionAnswered(number: 1, question: "Is LoRaWAN allowed?", answer: "Yes, any open standard.")))
            let anonymised = try await officer.call(IntakeAPI.answerQuestion, AnswerQuestionRequest(
                challenge: challenge, questionID: first.id, publishedQuestion: "May an applicant use its own bins?", answer: "Yes."))
            #expect(anonymised.number == 2 && anonymised.question == "May an applicant use its own bins?")
            try await intake.expectRefusal(.failedPrecondition) {
                _ = try await officer.call(IntakeAPI.answerQuestion, AnswerQuestionRequest(challenge: challenge, questionID: first.id, answer: "Again"))
            }
            try await intake.expectRefusal(.notFound) {
                _ = try await officer.call(IntakeAPI.answerQuestion, AnswerQuestionRequest(challenge: challenge, questionID: "no-such-question", answer: "?"))
            }

            let publicList = try await intake.startup(2).call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge)).questions
            #expect(publicList.map(\.number) == [1, 2])
            #expect(!publicList.contains { $0.question.contains("Fjordlys") }, "the published, anonymised text replaces the asked one")

            // The asker — organisation or subject — appears in no response body and no event.
            var bodies: [Data] = []
            for reader in [officer, asker, try await intake.startup(1), intake.client(token: nil)] {
                bodies.append(try CanonicalJSON.encode(try await reader.call(IntakeAPI.listQuestions, ListQuestionsRequest(challenge: challenge))))
            }
            for event in try await intake.events() where event.type == .questionAnswered {
                bodies.append(try CanonicalJSON.encode(event))
            }
            for body in bodies {
                let text = String(decoding: body, as: UTF8.self)
                #expect(!text.contains(askerOrg) && !text.contains("founder-0"), "\(text)")
            }
        }
    }

    @Test("only startups ask, only officers answer", arguments: Backend.allCases)
    func roles(_ backend: Backend) async throws {
        try await IntakeHarness.run(backend) { intake in
            let challenge = try await intake.publishedChallenge()
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await intake.officer().call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "?"))
            }
            let question = try await intake.startup(0).call(IntakeAPI.askQuestion, AskQuestionRequest(challenge: challenge, question: "?"))
            try await intake.expectRefusal(.permissionDenied) {
                _ = try await intake.startup(0).call(IntakeAPI.answerQuestion, AnswerQuestionRequest(challenge: challenge, questionID: question.id, answer: "!"))
            }
        }
    }
}
