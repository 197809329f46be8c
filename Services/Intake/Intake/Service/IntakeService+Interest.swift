import Logging
import ServiceKit
import Foundation
public import Messages
import SQLKit
public import RPC

extension IntakeService {
    /// A startup registers interest before the application deadline, and from then on is
    /// sent every amendment. Registering again returns the first registration unchanged.
    public func registerInterest(_ request: RegisterInterestRequest, by caller: Caller) async throws -> Interest {
        let org = try caller.requireOrganisation()
        try TextRule.check(request.companyName, "companyName", length: 1...200)
        try TextRule.check(request.contact.name, "contact.name", length: 1...200)
        try TextRule.checkEmail(request.contact.email, "contact.email")
        if let phone = request.contact.phone { try TextRule.check(phone, "contact.phone", length: 1...40) }
        return try await changing { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            if let existing = try await self.store.interest(challenge: row.id, org: org, on: tx) { return existing }
            let now = self.clock.now()
            guard row.status == .published, row.timelineInForce.acceptsApplications(at: now) else {
                throw RPCError(.failedPrecondition, "the application deadline (\(row.applicationDeadline)) has passed")
            }
            let interest = Interest(challenge: row.id, orgNumber: org, companyName: request.companyName, registeredAt: now)
            try await self.store.insertInterest(interest, contact: request.contact, subject: caller.subject, on: tx)
            try await self.emit(.interestRegistered(InterestRegistered(orgNumber: org, companyName: request.companyName)), challenge: row.id, by: caller, at: now, on: tx)
            self.log.info("interest registered", metadata: ["challenge": .string(row.id.rawValue), "org": .string(org.rawValue)])
            return interest
        }
    }

    /// The amendments announced to the calling startup.
    public func listNotices(_ request: ListNoticesRequest, by caller: Caller) async throws -> ListNoticesResponse {
        let org = try caller.requireOrganisation()
        let row = try await visibleChallenge(request.challenge, to: caller, on: database.sql)
        return ListNoticesResponse(notices: try await store.notices(challenge: row.id, org: org, on: database.sql))
    }

    /// A startup asks a question, until (and including) the questions deadline's millisecond.
    /// Who asked is stored to show the asker its own unanswered question, and never shown to
    /// anyone else nor recorded in an event.
    public func askQuestion(_ request: AskQuestionRequest, by caller: Caller) async throws -> Question {
        let org = try caller.requireOrganisation()
        try TextRule.check(request.question, "question", length: 1...4000)
        let question = try await database.transaction { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            let now = self.clock.now()
            guard row.status == .published, row.timelineInForce.acceptsQuestions(at: now) else {
                throw RPCError(.failedPrecondition, "the questions deadline (\(row.questionsDeadline)) has passed")
            }
            let id = UUID().uuidString.lowercased()
            try await self.store.insertQuestion(id: id, challenge: row.id, asker: org, subject: caller.subject, question: request.question, at: now, on: tx)
            return Question(id: id, challenge: row.id, number: nil, question: request.question, answer: nil, askedAt: now, answeredAt: nil)
        }
        log.info("question asked", metadata: ["challenge": .string(request.challenge.rawValue), "question": .string(question.id)])
        return question
    }

    /// An officer answers: the question gets the next number and is published to everyone
    /// as `publishedQuestion` (the officer's anonymised text) or as asked.
    /// - Throws: `failed_precondition` when it was answered already.
    public func answerQuestion(_ request: AnswerQuestionRequest, by caller: Caller) async throws -> Question {
        try TextRule.check(request.answer, "answer", length: 1...10_000)
        if let published = request.publishedQuestion { try TextRule.check(published, "publishedQuestion", length: 1...4000) }
        let answered = try await changing { tx in
            let row = try await self.visibleChallenge(request.challenge, to: caller, forUpdate: true, on: tx)
            guard let question = try await self.store.question(request.questionID, challenge: row.id, on: tx) else {
                throw RPCError(.notFound, "no question with that id in challenge \(row.id)")
            }
            if let number = question.number { throw RPCError(.failedPrecondition, "the question is already answered as number \(number)") }
            let now = self.clock.now()
            let number = try await self.store.nextQuestionNumber(row.id, on: tx)
            let published = request.publishedQuestion ?? question.question
            try await self.store.recordAnswer(question.id, number: number, publishedQuestion: request.publishedQuestion, answer: request.answer, at: now, on: tx)
            try await self.emit(.questionAnswered(QuestionAnswered(number: number, question: published, answer: request.answer)), challenge: row.id, by: caller, at: now, on: tx)
            return Question(id: question.id, challenge: row.id, number: number, question: published, answer: request.answer, askedAt: question.askedAt, answeredAt: now)
        }
        log.info("question answered", metadata: ["challenge": .string(request.challenge.rawValue), "number": .stringConvertible(answered.number ?? 0)])
        return answered
    }

    /// Answered questions for everyone, never naming the asker; officers also see the
    /// unanswered ones, and a startup its own unanswered ones.
    public func listQuestions(_ request: ListQuestionsRequest, by caller: Caller?) async throws -> ListQuestionsResponse {
        let row = try await visibleChallenge(request.challenge, to: caller, on: database.sql)
        let questions = try await store.questions(of: row.id, on: database.sql).filter { question in
            question.number != nil || caller?.isOfficer == true
                || (caller?.role == .startup && caller?.organisation == question.askerOrg)
        }
        return ListQuestionsResponse(questions: questions.map(\.visible))
    }
}
