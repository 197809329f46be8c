import Foundation
import Messages
import Testing

/// The seal on who applied: fixed vectors computed outside Swift (Python's hashlib and
/// `sha256sum`), so Intake, Records and any third party agree on the bytes.
@Suite("Sealed applicant")
struct SealedApplicantTests {
    @Test("a fixed vector: SHA-256 over salt ‖ {\"companyName\":…,\"orgNumber\":…}")
    func vector() throws {
        let org = try #require(OrgNumber("923609016"))
        let salt = Array(UInt8(0)...UInt8(31))
        let bytes = try SealedApplicant.canonicalBytes(orgNumber: org, companyName: "Fjordlys AS")
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"companyName":"Fjordlys AS","orgNumber":"923609016"}"#)
        let seal = try SealedApplicant.seal(orgNumber: org, companyName: "Fjordlys AS", salt: salt)
        #expect(seal.description == "sha256:c1049a2d99c9141921be65880c5529bc1c51c040c503d852ac97f82512744d92")

        let opened = IntakeClosed.OpenedApplicant(
            application: try #require(ApplicationID("app-1")), orgNumber: org, companyName: "Fjordlys AS",
            salt: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", status: .standing)
        #expect(opened.opens(seal))
    }

    @Test("the name as sealed: quotes, backslash, tab, line breaks escaped; slash and non-ASCII as they are")
    func escaping() throws {
        let org = try #require(OrgNumber("914778271"))
        let name = "Snø \"R/D\" \\ AS\t\n\ræ"
        let bytes = try SealedApplicant.canonicalBytes(orgNumber: org, companyName: name)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"companyName":"Snø \"R/D\" \\ AS\t\n\ræ","orgNumber":"914778271"}"#)
        #expect(bytes == Array(try CanonicalJSON.encode(["companyName": name, "orgNumber": "914778271"])))
        let seal = try SealedApplicant.seal(orgNumber: org, companyName: name, salt: Array(repeating: 0xff, count: 32))
        #expect(seal.hex == "9c5f2db1d58af0cb3cf58d434c5274b738549f0a34b291af3261ac69632824ce")
    }

    @Test("an opening of another name, another organisation or another salt does not match; nor does a malformed salt")
    func mismatches() throws {
        let org = try #require(OrgNumber("923609016"))
        let salt = SealedApplicant.newSalt()
        #expect(salt.count == 32 && salt != SealedApplicant.newSalt())
        let seal = try SealedApplicant.seal(orgNumber: org, companyName: "Fjordlys AS", salt: salt)
        let right = IntakeClosed.OpenedApplicant(
            application: try #require(ApplicationID("app-1")), orgNumber: org, companyName: "Fjordlys AS",
            salt: Data(salt).base64EncodedString(), status: .withdrawn)
        #expect(right.opens(seal))
        var wrong = right
        wrong.companyName = "Fjordlys A/S"
        #expect(!wrong.opens(seal))
        wrong = right
        wrong.orgNumber = try #require(OrgNumber("914778271"))
        #expect(!wrong.opens(seal))
        wrong = right
        wrong.salt = Data(SealedApplicant.newSalt()).base64EncodedString()
        #expect(!wrong.opens(seal))
        for malformed in ["", "not base64", Data(salt.prefix(31)).base64EncodedString()] {
            wrong.salt = malformed
            #expect(!wrong.opens(seal))
        }
    }
}
