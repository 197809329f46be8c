import Foundation
import Messages
import Testing

@Suite("Money")
struct MoneyTests {
    @Test func arithmeticIsExact() {
        let a = Money(ore: 10)  // 0,10
        let b = Money(ore: 20)  // 0,20
        #expect(a + b == Money(ore: 30))  // 0.1 + 0.2 == 0.3, unlike Double
        #expect(Money(kroner: 1_500_000) - Money(ore: 1) == Money(ore: 149_999_999))
        #expect(Money(kroner: 3) * 4 == Money(kroner: 12))
        #expect(-Money(kroner: 3) == Money(ore: -300))
        #expect(Money.sum([Money(kroner: 1), Money(ore: 50), Money(ore: 50)]) == Money(kroner: 2))
    }

    @Test func overflowIsAnErrorNotATrap() {
        #expect(throws: MoneyOverflow.self) { try Money(ore: .max).adding(Money(ore: 1)) }
        #expect(Money.sum([Money(ore: .max), Money(ore: 1)]) == nil)
    }

    @Test("parsing", arguments: [
        ("1500000", 150_000_000 as Int64),
        ("1 500 000,50", 150_000_050),
        ("1500000.5", 150_000_050),
        ("0,05", 5),
        ("-12,30", -1230),
    ])
    func parsing(_ text: String, _ ore: Int64) {
        #expect(Money(parsing: text) == Money(ore: ore))
    }

    @Test("parsing refuses", arguments: ["", "1,234", "1.2.3", "abc", "1e5", "+5", "99999999999999999999"])
    func parsingRefuses(_ text: String) {
        #expect(Money(parsing: text) == nil)
    }

    @Test func description() {
        #expect(Money(ore: 150_000_050).description == "NOK 1 500 000,50")
        #expect(Money(ore: -5).description == "NOK -0,05")
        #expect(Money(ore: 100).description == "NOK 1,00")
    }

    @Test func wireFormIsIntegerOre() throws {
        struct Offer: Codable, Equatable { var price: Money }
        let data = try JSONCoding.encoder().encode(Offer(price: Money(ore: 12345)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"price":12345}"#)
        #expect(try JSONCoding.decoder().decode(Offer.self, from: data) == Offer(price: Money(ore: 12345)))
        #expect(throws: DecodingError.self) { try JSONCoding.decoder().decode(Offer.self, from: Data(#"{"price":123.45}"#.utf8)) }
    }
}
