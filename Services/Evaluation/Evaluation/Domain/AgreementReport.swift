public import Messages

/// Inter-rater agreement for a result: Kendall's W per scored criterion and `overall`, and
/// the largest disagreements.
///
/// W needs a complete block — every rater scoring every object — so it is computed on the
/// largest one found: applications without a recusal and with at least two done sheets;
/// evaluators taken in order of how many of those they finished (then by subject), each
/// added while it keeps the block's intersection; the prefix with the largest m·n (then the
/// larger m) wins. That is exact when the panel scores everything, and a good block when it
/// does not. With m < 2 or n < 2, or when every rater tied everything, W is left out.
/// `overall` ranks each evaluator's weighted sum of the scored criteria.
public enum AgreementReport {
    public static let overall = "overall"
    public static let maxDisagreements = 10

    public static func make(_ input: ScoringInput) -> (agreement: [Agreement], disagreements: [Disagreement]) {
        (agreement(input), disagreements(input))
    }

    static func agreement(_ input: ScoringInput) -> [Agreement] {
        let scored = input.scoredCriteria
        let block = block(input)
        let m = block.raters.count, n = block.applications.count
        guard m >= 2, n >= 2 else { return [] }
        // One flat matrix per scored criterion and one of the weighted sums: [rater · n + column].
        var points = [[Int]](repeating: [Int](repeating: 0, count: m * n), count: scored.count + 1)
        let weights = scored.map(\.weight)
        for (column, applicationIndex) in block.applications.enumerated() {
            for (sheet, evaluator) in zip(input.applications[applicationIndex].sheets, block.sheetEvaluators[applicationIndex]) {
                let rater = block.rowOf[evaluator]
                guard rater >= 0 else { continue }
                var weighted = 0
                for k in scored.indices {
                    points[k][rater * n + column] = sheet.points[k]
                    weighted += weights[k] * sheet.points[k]
                }
                points[scored.count][rater * n + column] = weighted
            }
        }
        var result: [Agreement] = []
        for (criterion, flat) in zip(scored.map(\.id) + [Self.overall], points) {
            let matrix = (0..<m).map { rater in Array(flat[rater * n ..< (rater + 1) * n]) }
            if let w = KendallsW.tenThousandths(matrix) {
                result.append(Agreement(criterion: criterion, kendallsWTenThousandths: w, evaluators: m, applications: n))
            }
        }
        return result
    }

    /// A complete block: its raters (subjects, in row order), its applications (indices into
    /// the input, ascending), and for the rows: each sheet's evaluator as a number
    /// (`sheetEvaluators[application][sheet]`) and each number's row, or −1 (`rowOf`).
    struct Block {
        var raters: [String]
        var applications: [Int]
        var sheetEvaluators: [[Int]]
        var rowOf: [Int]
    }

    static func block(_ input: ScoringInput) -> Block {
        // Evaluators numbered once, so the rest works on integers.
        var number: [String: Int] = [:]
        var names: [String] = []
        var sheetEvaluators = [[Int]](repeating: [], count: input.applications.count)
        var finished: [[Int]] = []
        for (index, candidate) in input.applications.enumerated() {
            let eligible = !candidate.hasRecusal && candidate.sheets.count >= 2
            sheetEvaluators[index] = candidate.sheets.map { sheet in
                let id: Int
                if let known = number[sheet.evaluator] {
                    id = known
                } else {
                    id = names.count
                    number[sheet.evaluator] = id
                    names.append(sheet.evaluator)
                    finished.append([])
                }
                if eligible { finished[id].append(index) }
                return id
            }
        }
        let candidates = names.indices.sorted { a, b in
            finished[a].count != finished[b].count ? finished[a].count > finished[b].count : names[a] < names[b]
        }
        var best: (m: Int, columns: [Int]) = (0, [])
        var common: [Int] = []
        for (position, evaluator) in candidates.enumerated() where !finished[evaluator].isEmpty {
            common = position == 0 ? finished[evaluator] : intersect(common, finished[evaluator])
            let m = position + 1
            if m >= 2, m * common.count > best.m * best.columns.count || (m * common.count == best.m * best.columns.count && m > best.m) {
                best = (m, common)
            }
        }
        var rowOf = [Int](repeating: -1, count: names.count)
        let raters = best.m >= 2 ? Array(candidates.prefix(best.m)) : []
        for (row, evaluator) in raters.enumerated() { rowOf[evaluator] = row }
        return Block(raters: raters.map { names[$0] }, applications: best.m >= 2 ? best.columns : [], sheetEvaluators: sheetEvaluators, rowOf: rowOf)
    }

    /// Two ascending index lists' common elements.
    private static func intersect(_ a: [Int], _ b: [Int]) -> [Int] {
        var result: [Int] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { result.append(a[i]); i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return result
    }

    /// The largest spreads (highest minus lowest done points) over (application, scored
    /// criterion), worst first, then in application and criterion order; only real ones.
    static func disagreements(_ input: ScoringInput) -> [Disagreement] {
        let scored = input.scoredCriteria
        var found: [(spread: Int, application: Int, criterion: Int)] = []
        for (index, candidate) in input.applications.enumerated() where candidate.sheets.count >= 2 {
            for k in scored.indices {
                var low = Int.max, high = Int.min
                for sheet in candidate.sheets {
                    low = min(low, sheet.points[k])
                    high = max(high, sheet.points[k])
                }
                if high > low { found.append((high - low, index, k)) }
            }
        }
        found.sort { a, b in
            a.spread != b.spread ? a.spread > b.spread : a.application != b.application ? a.application < b.application : a.criterion < b.criterion
        }
        return found.prefix(maxDisagreements).map { entry in
            let candidate = input.applications[entry.application]
            var scores: [String: Int] = [:]
            for sheet in candidate.sheets { scores[sheet.evaluator] = sheet.points[entry.criterion] }
            return Disagreement(application: candidate.application, criterion: scored[entry.criterion].id, spreadHundredths: entry.spread * 100, scores: scores)
        }
    }
}
