public import Messages

/// Checks on free text a caller sends (names, summaries, reasons, grounds): its length and
/// that it holds no control characters (PostgreSQL cannot store NUL in text, and no field
/// needs the others).
///
/// Errors name the field and the rule, never the text: what a startup or an evaluator writes
/// is not for logs.
public enum TextRule {
    public static func check(_ text: String, _ path: String, length: ClosedRange<Int>) throws(RPCError) {
        guard length.contains(text.count) else {
            throw RPCError.invalidField(path, "must be \(length.lowerBound) to \(length.upperBound) characters")
        }
        if length.lowerBound > 0 && text.allSatisfy(\.isWhitespace) {
            throw RPCError.invalidField(path, "must not be blank")
        }
        guard !text.unicodeScalars.contains(where: isForbidden) else {
            throw RPCError.invalidField(path, "must not contain control characters")
        }
    }

    /// An e-mail address in the loosest useful sense: something on each side of one `@`.
    public static func checkEmail(_ text: String, _ path: String) throws(RPCError) {
        try check(text, path, length: 3...254)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.contains(where: \.isWhitespace) else {
            throw RPCError.invalidField(path, "must be an e-mail address (name@domain)")
        }
    }

    /// A token subject as an officer names it: 1–200 characters, no whitespace or control
    /// characters.
    public static func checkSubject(_ subject: String, _ path: String) throws(RPCError) {
        guard (1...200).contains(subject.count), !subject.contains(where: \.isWhitespace),
              !subject.unicodeScalars.contains(where: isForbidden)
        else { throw RPCError.invalidField(path, "must be a token subject: 1 to 200 characters without whitespace or control characters") }
    }

    /// C0 controls and DEL, except tab, line feed and carriage return.
    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && ![0x09, 0x0A, 0x0D].contains(scalar.value)) || scalar.value == 0x7F
    }
}
