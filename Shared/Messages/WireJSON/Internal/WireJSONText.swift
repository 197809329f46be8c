import Foundation

/// The byte-level pieces of JSON text both directions share: string escapes and numbers,
/// spelled exactly as Foundation's `JSONEncoder` spells them on Linux (swift-foundation's
/// `JSONWriter`).
enum WireJSONText {
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    // MARK: Eight bytes at a time

    @inline(__always)
    static func load8(_ base: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// Whether any of the eight bytes in `word` is `"`, `\` or a control character below 0x20
    /// (exact, not approximate: the classic "has zero byte" and "has byte less than" tests).
    @inline(__always)
    static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        return ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | control) & highs != 0
    }

    // MARK: Writing

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Appends `string` quoted: `"` and `\` escaped, `\b \f \n \r \t` for those controls,
    /// `\u00xx` (lower-case hex) for the other C0 controls; `/`, DEL, U+2028/2029 and all
    /// other non-ASCII as raw UTF-8 (`.withoutEscapingSlashes`). Returns whether the text
    /// was plain, ASCII that needed no escape, so that its bytes in the output are the text.
    @discardableResult
    static func appendString(_ string: String, to bytes: inout [UInt8]) -> Bool {
        var string = string
        var plain = true
        bytes.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            // Whole words that need no escape are copied with the rest in one go below.
            var clean = 0
            var high: UInt64 = 0
            while clean + 8 <= utf8.count {
                let word = load8(base, clean)
                if needsAttention(word) { break }
                high |= word
                clean += 8
            }
            if high & 0x8080_8080_8080_8080 != 0 { plain = false }
            var mark = 0
            for i in clean..<utf8.count {
                let b = utf8[i]
                if b >= 0x80 { plain = false }
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                plain = false
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<i]))
                mark = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hexDigits.utf8Start[Int(b >> 4)], hexDigits.utf8Start[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark...]))
        }
        bytes.append(UInt8(ascii: "\""))
        return plain
    }

    /// Foundation's `.sortedKeys` order on Linux: the names' UTF-8 bytes, lexicographically.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { a in
            b.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0 {
                    let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            let (quotient, digit) = magnitude.quotientAndRemainder(dividingBy: 10)
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digit))
            magnitude = quotient
        } while magnitude != 0
        bytes[start...].reverse()
    }

    /// Foundation writes a float's `description` without a trailing `.0`
    /// (`1`, `0.1`, `1e+21`, `5e-324`, `-0`); non-finite values are refused by the caller.
    static func appendFloat<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T, to bytes: inout [UInt8]) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    // MARK: Reading

    /// The value of a string token's content; nil where Foundation's verdict is needed
    /// (invalid UTF-8, a lone surrogate).
    static func string(_ content: UnsafeRawBufferPointer, escaped: Bool, nonASCII: Bool) -> String? {
        if !escaped {
            if !nonASCII { return String(decoding: content, as: UTF8.self) }
            return String(validating: content, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var i = 0
        while i < content.count {
            let b = content[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            let e = content[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(content, at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= content.count, content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u") else { return nil }
                    let low = hex4(content, at: i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: out.append(e)  // " \ /
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex4(_ content: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for j in i..<i + 4 { value = value << 4 | UInt32(hexValue(content[j]) ?? 0) }
        return value
    }

    /// The value of an integer token (no fraction or exponent) as `T`; nil when it does
    /// not fit. `-0` is 0, as Foundation decodes it.
    static func integer<T: FixedWidthInteger>(_ text: UnsafeRawBufferPointer, negative: Bool, as type: T.Type) -> T? {
        var magnitude: UInt64 = 0
        for i in (negative ? 1 : 0)..<text.count {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(text[i] &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            magnitude = sum
        }
        if !negative { return T(exactly: magnitude) }
        if magnitude == 0 { return 0 }
        guard T.isSigned, magnitude <= UInt64(T.max) + 1 else { return nil }
        return magnitude == UInt64(T.max) + 1 ? T.min : 0 - T(magnitude)
    }
}
