import Foundation
import Messages
import RPC
import Synchronization

/// The evaluation half of the accelerator's first phase, played over HTTP/2: a panel of five,
/// one evaluator recused from two applications, every other (evaluator, application) pair
/// declared impartial, the confidential material opened in the Vault under Evaluation's grants,
/// scored blind, consensus where the panel differs, the ranking by the published method and
/// the shortlist of 4.
struct EvaluationScenario: DemoScenario {
    let evaluation: RPCClient
    let vault: RPCClient
    let issuer: LocalTokenIssuer
    let seed: UInt64
    let challenge: ChallengeID
    let startups: [SyntheticStartup]
    let progress: @Sendable (String) -> Void

    static let evaluators = ["eval.ingrid", "eval.ola", "eval.sigrid", "eval.nils", "eval.astrid"]
    /// The evaluator who declares a conflict with two applications.
    static let conflicted = "eval.astrid"

    struct Outcome: Sendable {
        var result: EvaluationResult
        var recusals: Int
        var declarations: Int
        var sheets: Int
        var consensus: Int
        var opens: Int
        var feedback: Feedback
        var feedbackCompany: String
        var accessLog: [AccessEntry]
        var expectedEvents: [EventType: Int]
    }

    func run() async throws -> Outcome {
        let officer = try await token(.officer, IntakeScenario.officer)
        var tokens: [String: String] = [:]
        for evaluator in Self.evaluators { tokens[evaluator] = try await token(.evaluator, evaluator) }
        let evaluatorTokens = tokens

        // 1. The officer opens the evaluation: the frozen terms and the standing applications
        //    come from Intake.
        let evaluationOpened = try await mutate(evaluation, EvaluationAPI.openEvaluation, OpenEvaluationRequest(challenge: challenge), token: officer)
        let applications = evaluationOpened.applications
        progress("evaluation opened: \(applications.count) applications, criteria \(evaluationOpened.terms.criteria.map { "\($0.id) \($0.weight)%" }.joined(separator: ", ")), consensus needed beyond \(evaluationOpened.consensusSpreadHundredths / 100) points")

        // 2. A panel of five on every application.
        _ = try await mutate(evaluation, EvaluationAPI.assignEvaluators, AssignEvaluatorsRequest(challenge: challenge, evaluators: Self.evaluators), token: officer)

        // 3. Declarations before any access: one evaluator knows two of the applicants.
        let conflicts = Set(applications.sorted { $0.application < $1.application }.prefix(2).map(\.application))
        let pairs = Self.evaluators.flatMap { evaluator in applications.map { (evaluator, $0) } }
        try await concurrently(pairs, width: 8) { evaluator, application in
            let token = evaluatorTokens[evaluator]!
            if evaluator == Self.conflicted && conflicts.contains(application.application) {
                _ = try await mutate(evaluation, EvaluationAPI.declareConflict, ConflictRequest(
                    challenge: challenge, application: application.application,
                    ground: "Former board member of \(application.companyName) (forvaltningsloven § 6)"), token: token)
            } else {
                _ = try await mutate(evaluation, EvaluationAPI.declareImpartiality, DeclarationRequest(challenge: challenge, application: application.application), token: token)
            }
        }
        progress("\(pairs.count - conflicts.count) declarations of impartiality; \(Self.conflicted) declared a conflict with \(conflicts.count) applications and is recused from them")

        // 4. Each evaluator opens the confidential material under a grant and scores blind.
        let byOrg = Dictionary(uniqueKeysWithValues: startups.map { ($0.org, $0) })
        let scorable = evaluationOpened.terms.criteria.filter { !$0.isPrice }
        let grants = Mutex<Set<GrantID>>([])
        let opens = Atomic<Int>(0)
        let working = pairs.filter { !($0.0 == Self.conflicted && conflicts.contains($0.1.application)) }
        try await concurrently(working, width: 8) { evaluator, application in
            let token = evaluatorTokens[evaluator]!
            let grant = try await mutate(evaluation, EvaluationAPI.requestAccess, RequestAccessRequest(challenge: challenge, application: application.application), token: token)
            grants.withLock { _ = $0.insert(grant.grantID) }
            let read = try await vault.call(VaultAPI.open, OpenRequest(ref: application.vaultRef, grant: grant.grant), options: CallOptions(timeout: .seconds(30), token: token))
            guard let startup = byOrg[application.orgNumber], let bytes = read.bytes,
                  String(decoding: bytes, as: UTF8.self).contains(startup.theme) else {
                throw DemoFailure("\(evaluator) did not get \(application.companyName)'s confidential material from the Vault")
            }
            opens.add(1, ordering: .relaxed)
            let scores = scorable.map { criterion in
                let points = Self.points(startup: startup, evaluator: evaluator, criterion: criterion.id, seed: seed, scale: evaluationOpened.terms.scale)
                return CriterionScoreInput(criterion: criterion.id, points: points, reason: Self.reason(points: points, criterion: criterion, startup: startup))
            }
            _ = try await mutate(evaluation, EvaluationAPI.submitScores, SubmitScoresRequest(challenge: challenge, application: application.application, scores: scores, done: true), token: token)
        }
        progress("\(working.count) score sheets done, each after opening the startup's material in the Vault under an Evaluation grant (\(opens.load(ordering: .relaxed)) reads)")

        // 5. Consensus where the panel differs by more than the spread.
        var consensusCount = 0
        for application in applications {
            let scores = try await evaluation.call(EvaluationAPI.getApplicationScores, GetApplicationScoresRequest(challenge: challenge, application: application.application), options: CallOptions(token: officer))
            for criterion in scores.needingConsensus {
                let points = scores.sheets.compactMap { sheet in sheet.scores.first { $0.criterion == criterion }?.points }.sorted()
                let median = points[points.count / 2]
                _ = try await mutate(evaluation, EvaluationAPI.recordConsensus, RecordConsensusRequest(
                    challenge: challenge, application: application.application, criterion: criterion, hundredths: median * 100,
                    reason: "The panel met and agreed on the median after discussing the spread (\(points.first!)–\(points.last!))"), token: officer)
                consensusCount += 1
            }
        }
        progress("consensus recorded for \(consensusCount) criterion scores where the panel differed by more than \(evaluationOpened.consensusSpreadHundredths / 100) points")

        // 6. Finalise: the published method, the tie-break, the shortlist of 4, reasons for all others.
        let result = try await mutate(evaluation, EvaluationAPI.finalize, FinalizeRequest(challenge: challenge), token: officer)
        guard result.shortlist.count == evaluationOpened.terms.places else {
            throw DemoFailure("the shortlist has \(result.shortlist.count) applications, not \(evaluationOpened.terms.places)")
        }
        guard result.ranking.filter({ !$0.shortlisted }).allSatisfy({ $0.reason?.isEmpty == false }) else {
            throw DemoFailure("an application not shortlisted has no reason")
        }
        let shortlistNames = result.ranking.filter(\.shortlisted).map { "\($0.companyName) (\(String(format: "%.2f", Double($0.totalHundredths) / 100)))" }
        progress("finalised; shortlist: " + shortlistNames.joined(separator: ", "))

        // 7. One startup not shortlisted reads its feedback and its data-access log.
        guard let fifth = result.ranking.first(where: { $0.rank == evaluationOpened.terms.places + 1 }),
              let company = applications.first(where: { $0.application == fifth.application }),
              let startup = byOrg[company.orgNumber] else { throw DemoFailure("no fifth-ranked application") }
        let startupToken = try await token(.startup, startup.subject, org: startup.org)
        let feedback = try await evaluation.call(EvaluationAPI.getFeedback, GetFeedbackRequest(challenge: challenge), options: CallOptions(token: startupToken))
        guard feedback.application == fifth.application, !feedback.shortlisted, feedback.shortlist.count == evaluationOpened.terms.places else {
            throw DemoFailure("\(startup.name)'s feedback is not its own or not complete")
        }
        let log = try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(), options: CallOptions(token: startupToken)).accesses
        guard !log.isEmpty, log.allSatisfy({ $0.reader.role == .evaluator && $0.purpose == "evaluation" }) else {
            throw DemoFailure("\(startup.name)'s access log is empty or holds a read that is not an evaluator's")
        }

        // 8. Every read in every startup's access log has a grant Evaluation issued.
        let auditor = try await token(.auditor, "revisor")
        let issued = grants.withLock { $0 }
        var reads = 0
        for application in applications {
            let accesses = try await vault.call(VaultAPI.listAccesses, ListAccessesRequest(owner: application.orgNumber), options: CallOptions(token: auditor)).accesses
            for access in accesses where access.challenge == challenge {
                guard issued.contains(access.grant), access.issuer == "evaluation" else {
                    throw DemoFailure("a read of \(application.companyName)'s material (grant \(access.grant)) has no grant Evaluation issued")
                }
                reads += 1
            }
        }
        guard reads == working.count else { throw DemoFailure("the Vault logged \(reads) reads, the panel made \(working.count)") }
        progress("\(reads) reads in the Vault's access logs, each under a grant Evaluation issued; \(startup.name) sees its \(log.count)")

        let expected: [EventType: Int] = [
            .panelAssigned: 1, .impartialityDeclared: pairs.count - conflicts.count, .evaluatorRecused: conflicts.count,
            .consensusRecorded: consensusCount, .scoresFinalised: 1, .shortlistDecided: 1, .confidentialDataAccessed: working.count,
        ]
        return Outcome(
            result: result, recusals: conflicts.count, declarations: pairs.count - conflicts.count, sheets: working.count,
            consensus: consensusCount, opens: opens.load(ordering: .relaxed), feedback: feedback, feedbackCompany: startup.name,
            accessLog: log, expectedEvents: expected)
    }

    /// Whole points for one criterion: the startup's underlying quality, the evaluator's
    /// habit (stricter or kinder) and a little noise, all from the seed.
    static func points(startup: SyntheticStartup, evaluator: String, criterion: String, seed: UInt64, scale: ScoringScale) -> Int {
        var quality = SeededGenerator(seed: seed ^ UInt64(startup.index) &* 0x9E37_79B9 ^ UInt64(truncatingIfNeeded: criterion.hashValueStable))
        let base = 3 + Int(quality.next() % 7)
        let habit = [-1, 0, 0, 1, 0][evaluators.firstIndex(of: evaluator) ?? 0]
        var noise = SeededGenerator(seed: seed ^ UInt64(startup.index) << 8 ^ UInt64(truncatingIfNeeded: (evaluator + criterion).hashValueStable))
        let jitter = [-1, 0, 0, 0, 0, 1][Int(noise.next() % 6)]
        return min(scale.max, max(scale.min, base + habit + jitter))
    }

    static func reason(points: Int, criterion: Criterion, startup: SyntheticStartup) -> String {
        let verdict = points >= 8 ? "strong" : points >= 5 ? "adequate" : "weak"
        return "\(criterion.name): \(verdict) (\(points)). The proposal for \(startup.theme) is judged on the material in the Vault and the public summary."
    }

}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash)
    }
}
