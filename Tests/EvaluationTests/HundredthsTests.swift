@testable import Evaluation
import Testing

@Suite("Hundredths")
struct HundredthsTests {
    @Test("rounding half up on both sides of zero", arguments: [
        (Int128(725), Int128(100), Int128(7)), (Int128(750), Int128(100), Int128(8)), (Int128(-750), Int128(100), Int128(-7)),
        (Int128(-751), Int128(100), Int128(-8)), (Int128(-749), Int128(100), Int128(-7)), (Int128(1), Int128(2), Int128(1)), (Int128(-1), Int128(2), Int128(0)),
    ])
    func rounding(_ numerator: Int128, _ denominator: Int128, _ expected: Int128) {
        #expect(Hundredths.divideRoundingHalfUp(numerator, by: denominator) == expected)
    }
}
