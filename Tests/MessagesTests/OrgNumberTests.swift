import Foundation
import Messages
import Testing

@Suite("OrgNumber")
struct OrgNumberTests {
    /// Real organisation numbers from Enhetsregisteret, and the check-digit arithmetic by hand.
    @Test("valid numbers", arguments: [
        "923609016",  // Equinor ASA
        "974760673",  // Brønnøysundregistrene
        "985399077",  // Oslo kommune, Bymiljøetaten
        "958935420",  // Oslo kommune
        "123456785",  // 1·3+2·2+3·7+4·6+5·5+6·4+7·3+8·2 = 138, 138 mod 11 = 6, 11−6 = 5
        "000000000",  // remainder 0 → check digit 0
        "923 609 016",
    ])
    func valid(_ text: String) throws {
        let number = try #require(OrgNumber(text))
        #expect(number.rawValue == text.filter { $0 != " " })
    }

    @Test("invalid numbers", arguments: [
        "923609017",  // wrong check digit
        "12345678",   // eight digits
        "1234567850", // ten digits
        "92360901a",
        "",
        "-23609016",
        "100000008",  // 1·3 = 3 → remainder 3 → check 8 is right…
    ].dropLast() + [
        "100000018",  // …but 1·3 + 1·2 = 5 → check 6, not 8
    ])
    func invalid(_ text: String) {
        #expect(OrgNumber(text) == nil)
    }

    @Test("remainder 1 has no check digit, so no number with those eight digits is valid")
    func remainderOne() {
        // 0·… + 4·2 (last weight) = 8? Use a prefix whose weighted sum is ≡ 1 (mod 11):
        // digits 00000005 → 5·2 = 10; 00000006 → 12 ≡ 1.
        let prefix = [0, 0, 0, 0, 0, 0, 0, 6]
        #expect(OrgNumber.checkDigit(forFirstEight: prefix) == nil)
        for last in 0...9 {
            #expect(OrgNumber("0000000" + "6" + String(last)) == nil)
        }
    }

    @Test("check digit table over every remainder")
    func checkDigitTable() {
        // Only the last weight (2) varies: digit d gives sum 2d; remainders 0,2,4,6,8,10,1,3,5,7.
        let expected: [Int?] = [0, 9, 7, 5, 3, 1, nil, 8, 6, 4]
        for d in 0...9 {
            #expect(OrgNumber.checkDigit(forFirstEight: [0, 0, 0, 0, 0, 0, 0, d]) == expected[d], "digit \(d)")
        }
    }

    @Test("JSON decoding refuses an invalid number and names the reason")
    func decoding() throws {
        struct Wrapper: Codable { var org: OrgNumber }
        let ok = try JSONDecoder().decode(Wrapper.self, from: Data(#"{"org":"923609016"}"#.utf8))
        #expect(ok.org.rawValue == "923609016")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: Data(#"{"org":"923609017"}"#.utf8)) }
    }
}
