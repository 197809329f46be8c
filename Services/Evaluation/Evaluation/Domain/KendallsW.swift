/// Kendall's coefficient of concordance W among m raters who each score the same n objects,
/// with the correction for ties (Kendall & Babington Smith 1939; Siegel & Castellan 1988, §9.4):
///
///     W = 12·S / (m²(n³ − n) − m·ΣT)
///
/// where each rater's scores are ranked 1…n (tied scores share the mean of their ranks),
/// Rⱼ is object j's rank sum, S = Σ(Rⱼ − R̄)², and T = Σ(t³ − t) over each rater's groups of
/// t tied objects.
///
/// Computed exactly: ranks are doubled so that mean ranks stay integers (S′ = 4S, so
/// W = 3·S′ / D), and the result is rounded half up once, to ten-thousandths.
public enum KendallsW {
    /// W in ten-thousandths for `scores[rater][object]` (higher is better; only the order
    /// within a rater matters). Nil when it is undefined: fewer than two raters or two
    /// objects, rows of unequal length, or every rater tying every object (D = 0).
    public static func tenThousandths(_ scores: [[Int]]) -> Int? {
        let m = scores.count
        guard m >= 2, let n = scores.first?.count, n >= 2, scores.allSatisfy({ $0.count == n }) else { return nil }
        var rankSums = [Int128](repeating: 0, count: n)
        var ties: Int128 = 0
        var keys = [Int](repeating: 0, count: n)
        for row in scores {
            let lowest = row.min()!, range = row.max()! - lowest + 1
            if range <= 4 * n {
                // Scores are few whole points: count them instead of sorting. A score held by
                // c objects after b lower ones takes ranks b+1…b+c; doubled, their mean is 2b+c+1.
                var counts = [Int](repeating: 0, count: range)
                for score in row { counts[score - lowest] += 1 }
                var doubledMean = [Int128](repeating: 0, count: range)
                var below = 0
                for value in 0..<range where counts[value] > 0 {
                    let c = counts[value]
                    doubledMean[value] = Int128(2 * below + c + 1)
                    ties += Int128(c) * Int128(c) * Int128(c) - Int128(c)
                    below += c
                }
                for object in 0..<n { rankSums[object] += doubledMean[row[object] - lowest] }
                continue
            }
            // Otherwise sort the objects by score as one integer key, (score − lowest)·n + object.
            for object in 0..<n { keys[object] = (row[object] - lowest) * n + object }
            keys.sort()
            var start = 0
            while start < n {
                let score = keys[start] / n
                var end = start + 1
                while end < n && keys[end] / n == score { end += 1 }
                // Positions start…end−1 hold ranks start+1…end; doubled, their mean is start+end+1.
                let doubledMean = Int128(start + end + 1)
                for position in start..<end { rankSums[keys[position] % n] += doubledMean }
                let t = Int128(end - start)
                ties += t * t * t - t
                start = end
            }
        }
        let m128 = Int128(m), n128 = Int128(n)
        let doubledMeanSum = m128 * (n128 + 1)
        let s4 = rankSums.reduce(Int128(0)) { sum, r in sum + (r - doubledMeanSum) * (r - doubledMeanSum) }
        let denominator = m128 * m128 * (n128 * n128 * n128 - n128) - m128 * ties
        guard denominator > 0 else { return nil }
        return Int(Hundredths.divideRoundingHalfUp(3 * s4 * 10_000, by: denominator))
    }
}
