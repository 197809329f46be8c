import Messages
import SQLKit
import ServiceKit

extension IntakeStore {
    /// A question as stored, with its asker — which never leaves this type except to decide
    /// whether the caller may see the question before it is answered.
    struct QuestionRow: Sendable {
        var id: String
        var challenge: ChallengeID
        var askerOrg: OrgNumber
        var question: String
        var publishedQuestion: String?
        var answer: String?
        var number: Int?
        var askedAt: Timestamp
        var answeredAt: Timestamp?

        init(row: any SQLRow) throws {
            id = try row.decode(column: "id", as: String.self)
            challenge = try row.parsed("challenge_id", ChallengeID.init)
            askerOrg = try row.parsed("asker_org", OrgNumber.init)
            question = try row.decode(column: "question", as: String.self)
            publishedQuestion = try row.decode(column: "published_question", as: String?.self)
            answer = try row.decode(column: "answer", as: String?.self)
            number = try row.decode(column: "number", as: Int64?.self).map(Int.init)
            askedAt = try row.timestamp("asked_at")
            answeredAt = try row.optionalTimestamp("answered_at")
        }

        /// As callers see it: once answered, the published (anonymised) text; never the asker.
        var visible: Question {
            Question(
                id: id, challenge: challenge, number: number, question: publishedQuestion ?? question,
                answer: answer, askedAt: askedAt, answeredAt: answeredAt)
        }
    }

    static let questionColumns = "id, challenge_id, asker_org, question, published_question, answer, number, asked_at, answered_at"

    func insertQuestion(id: String, challenge: ChallengeID, asker: OrgNumber, subject: String, question: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO intake_questions (id, challenge_id, asker_org, asker_subject, question, asked_at)
            VALUES (\(bind: id), \(bind: challenge.rawValue), \(bind: asker.rawValue), \(bind: subject), \(bind: question), \(bind: now.millisecondsSinceEpoch))
            """).run()
    }

    func question(_ id: String, challenge: ChallengeID, on db: any SQLDatabase) async throws -> QuestionRow? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.questionColumns) FROM intake_questions WHERE id = \(bind: id) AND challenge_id = \(bind: challenge.rawValue)
            """).first().map(QuestionRow.init(row:))
    }

    /// The next published number of `challenge` (from 1).
    func nextQuestionNumber(_ challenge: ChallengeID, on db: any SQLDatabase) async throws -> Int {
        let max = try await db.raw("SELECT MAX(number) AS n FROM intake_questions WHERE challenge_id = \(bind: challenge.rawValue)")
            .first()?.decode(column: "n", as: Int64?.self)
        return Int(max ?? 0) + 1
    }

    func recordAnswer(_ id: String, number: Int, publishedQuestion: String?, answer: String, at now: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE intake_questions SET number = \(bind: Int64(number)), published_question = \(bind: publishedQuestion),
                answer = \(bind: answer), answered_at = \(bind: now.millisecondsSinceEpoch)
            WHERE id = \(bind: id) AND answer IS NULL
            """).run()
    }

    /// Answered questions in published order, then unanswered ones in the order asked.
    func questions(of challenge: ChallengeID, on db: any SQLDatabase) async throws -> [QuestionRow] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.questionColumns) FROM intake_questions WHERE challenge_id = \(bind: challenge.rawValue)
            ORDER BY CASE WHEN number IS NULL THEN 1 ELSE 0 END, number, seq
            """).all().map(QuestionRow.init(row:))
    }
}
