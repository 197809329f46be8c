public import Messages

/// Price to points by the published formula (DESIGN.md §5), in hundredths, exactly.
///
/// With Pb the lowest price among the evaluated applications, Pe the price evaluated and M
/// the top of the scale:
/// - linear: `M·(1 − (Pe − Pb)/Pb)` = `M·(2·Pb − Pe)/Pb`, negative once Pe > 2·Pb — the
///   published formula, not clamped;
/// - proportional: `M·Pb/Pe`.
///
/// Prices are integer øre and the arithmetic is on 128-bit integers, rounded half up once.
public enum PriceScore {
    /// The hundredths `price` earns against `lowest`; nil for ``PriceFormula/none``.
    /// Both prices must be positive (Intake refuses a requested budget that is not).
    public static func hundredths(formula: PriceFormula, price: Money, lowest: Money, scaleMax: Int) -> Int? {
        let pe = Int128(price.ore), pb = Int128(lowest.ore), top = Int128(scaleMax) * 100
        precondition(pe > 0 && pb > 0, "prices are positive")
        switch formula {
        case .linear: return Int(Hundredths.divideRoundingHalfUp(top * (2 * pb - pe), by: pb))
        case .proportional: return Int(Hundredths.divideRoundingHalfUp(top * pb, by: pe))
        case .none: return nil
        }
    }
}
