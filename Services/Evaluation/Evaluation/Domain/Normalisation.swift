/// Normalisation, when the challenge publishes it: per criterion, the best application gets
/// the top of the scale and the others keep their proportion to it,
/// `points × (M·100) / best`, rounded half up. A criterion whose best is not positive is
/// left as it is (there is nothing to scale to).
public enum Normalisation {
    /// `column` scaled so its maximum becomes `scaleMax` points.
    public static func normalise(_ column: [Int], scaleMax: Int) -> [Int] {
        guard let best = column.max(), best > 0 else { return column }
        let top = Int128(scaleMax) * 100
        return column.map { Int(Hundredths.divideRoundingHalfUp(Int128($0) * top, by: Int128(best))) }
    }
}
