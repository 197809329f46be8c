/// Exact integer rounding and the display of hundredths of a point.
///
/// Every computed score is an integer number of hundredths; a division is rounded once,
/// half up — towards +∞ on a half (7.245 → 7.25, −1.005 → −1.00), the same rule on both
/// sides of zero, so a negative linear price score rounds like a positive one.
enum Hundredths {
    /// `numerator / denominator` rounded half up: ⌊(2n + d) / 2d⌋. `denominator` must be positive.
    static func divideRoundingHalfUp(_ numerator: Int128, by denominator: Int128) -> Int128 {
        precondition(denominator > 0, "rounding needs a positive denominator")
        return floorDivide(2 * numerator + denominator, by: 2 * denominator)
    }

    /// ⌊n / d⌋ for a positive `d` (Swift's `/` truncates towards zero).
    static func floorDivide(_ numerator: Int128, by denominator: Int128) -> Int128 {
        let quotient = numerator / denominator
        return numerator % denominator < 0 ? quotient - 1 : quotient
    }

    /// `725` → `"7.25"`, `-5` → `"-0.05"`.
    static func text(_ hundredths: Int) -> String {
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        return "\(hundredths < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
