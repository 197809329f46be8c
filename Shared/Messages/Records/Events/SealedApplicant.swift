/// Who applied, sealed until the application deadline: the ``ApplicationReceived/applicant``
/// of an application.
///
/// Tenders are kept confidential until the deadline and opened together afterwards, so the
/// public record names no applicant while intake is open. It holds instead
/// `Digest.salted(canonicalBytes, salt:)` — SHA-256 over `salt ‖ canonicalBytes` — with a
/// fresh random salt of 32 bytes per application, which cannot be brute-forced from a guess
/// of who applied. ``IntakeClosed/applicants`` publishes each organisation number, company
/// name and salt at the closing, and anyone can recompute the seal.
///
/// The canonical bytes are the canonical JSON (``CanonicalJSON``) of the two fields, e.g.
///
/// ```
/// {"companyName":"Fjordlys AS","orgNumber":"923609016"}
/// ```
///
/// in UTF-8: keys in that order, no whitespace, the organisation number as its 9 digits, the
/// name as sealed (no Unicode normalisation) with `"` and `\` escaped by a backslash, tab,
/// line feed and carriage return as `\t`, `\n`, `\r` (Intake refuses other C0 control
/// characters), and every other character, `/` and non-ASCII included, as it is.
public enum SealedApplicant {
    /// The salt is 32 random bytes.
    public static let saltLength = 32

    /// The bytes that are sealed.
    public static func canonicalBytes(orgNumber: OrgNumber, companyName: String) throws -> [UInt8] {
        Array(try CanonicalJSON.encode(Fields(companyName: companyName, orgNumber: orgNumber)))
    }

    /// The seal: SHA-256 over `salt ‖ canonicalBytes`.
    public static func seal(orgNumber: OrgNumber, companyName: String, salt: [UInt8]) throws -> Digest {
        Digest.salted(try canonicalBytes(orgNumber: orgNumber, companyName: companyName), salt: salt)
    }

    /// A fresh salt of ``saltLength`` random bytes from the system's secure generator.
    public static func newSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private struct Fields: Encodable {
        var companyName: String
        var orgNumber: OrgNumber
    }
}
