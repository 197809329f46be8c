/// A JSON text parsed once into a flat array of tokens, in document order, so decoding can
/// walk it without building dictionaries or boxing values (after swift-foundation's `JSONMap`).
///
/// The scanner is deliberately stricter than Foundation: it accepts only RFC 8259 JSON in
/// UTF-8 without a byte-order mark, nesting up to ``maximumDepth``. Anything else makes it give up, and the caller lets
/// Foundation decide (Foundation is more lenient in places, e.g. trailing commas).
struct WireJSONDocument {
    enum Kind: UInt8 {
        case null, `true`, `false`, number, string, array, object
    }

    struct Token {
        var kind: Kind
        /// Strings: contains a backslash escape. Numbers: has a fraction or an exponent.
        /// Objects: a member name has an escape or a byte ≥ 0x80.
        var escapedOrFractional: Bool
        /// Strings: contains a byte ≥ 0x80. Numbers: negative.
        var nonASCIIOrNegative: Bool
        /// Scalars: the first byte (inside the quotes for strings). Containers: element count.
        var start: Int32
        /// Scalars: one past the last byte. Containers: the index of the token after the
        /// container's last descendant.
        var end: Int32
    }

    /// Containers nested deeper than this are left to Foundation (whose limit is 512).
    static let maximumDepth = 128

    let bytes: UnsafeRawBufferPointer
    private(set) var tokens: [Token] = []

    /// Nil when the text is not JSON this scanner accepts.
    init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count < Int(Int32.max) else { return nil }
        self.bytes = bytes
        var reserved: [Token] = []
        reserved.reserveCapacity(bytes.count / 6 + 4)
        var scanner = Scanner(base: bytes, tokens: reserved)
        guard scanner.document() else { return nil }
        tokens = scanner.tokens
    }

    /// The index of the token after the value at `index` and all it contains.
    @inline(__always)
    func next(after index: Int) -> Int {
        let token = tokens[index]
        return token.kind == .array || token.kind == .object ? Int(token.end) : index + 1
    }

    @inline(__always)
    func slice(_ token: Token) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)])
    }
}

private struct Scanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var tokens: [WireJSONDocument.Token]
    var position = 0

    init(base: UnsafeRawBufferPointer, tokens: [WireJSONDocument.Token]) {
        // An empty buffer may have no address; any non-null pointer serves, nothing is read.
        self.base = UnsafePointer(base.baseAddress?.assumingMemoryBound(to: UInt8.self)) ?? UnsafePointer(bitPattern: 1)!
        self.count = base.count
        self.tokens = tokens
    }

    @inline(__always) private var atEnd: Bool { position >= count }
    @inline(__always) private var byte: UInt8 { base[position] }

    mutating func document() -> Bool {
        skipWhitespace()
        guard value(depth: 0) else { return false }
        skipWhitespace()
        return atEnd
    }

    private mutating func skipWhitespace() {
        while !atEnd {
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) -> Bool {
        guard !atEnd else { return false }
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true", .true)
        case UInt8(ascii: "f"): return literal("false", .false)
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    private mutating func literal(_ text: StaticString, _ kind: WireJSONDocument.Kind) -> Bool {
        let count = text.utf8CodeUnitCount
        guard self.count - position >= count else { return false }
        for i in 0..<count where base[position + i] != text.utf8Start[i] { return false }
        tokens.append(.init(kind: kind, escapedOrFractional: false, nonASCIIOrNegative: false, start: Int32(position), end: Int32(position + count)))
        position += count
        return true
    }

    private mutating func object(depth: Int) -> Bool {
        guard depth <= WireJSONDocument.maximumDepth else { return false }
        let index = tokens.count
        tokens.append(.init(kind: .object, escapedOrFractional: false, nonASCIIOrNegative: false, start: 0, end: 0))
        position += 1
        skipWhitespace()
        var count: Int32 = 0
        var plainNames = true
        if !atEnd, byte == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                guard !atEnd, byte == UInt8(ascii: "\""), string() else { return false }
                if tokens[tokens.count - 1].escapedOrFractional || tokens[tokens.count - 1].nonASCIIOrNegative { plainNames = false }
                skipWhitespace()
                guard !atEnd, byte == UInt8(ascii: ":") else { return false }
                position += 1
                skipWhitespace()
                guard value(depth: depth) else { return false }
                count += 1
                guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                if !more { break }
            }
        }
        tokens[index].start = count
        tokens[index].end = Int32(tokens.count)
        tokens[index].escapedOrFractional = !plainNames
        return true
    }

    /// After a member or an element: skips a `,` and returns true (another follows), or
    /// skips `close` and returns false (the container ended); nil for anything else.
    private mutating func separator(closing close: UInt8) -> Bool? {
        skipWhitespace()
        guard !atEnd else { return nil }
        if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            return true
        }
        guard byte == close else { return nil }
        position += 1
        return false
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= WireJSONDocument.maximumDepth else { return false }
        let index = tokens.count
        tokens.append(.init(kind: .array, escapedOrFractional: false, nonASCIIOrNegative: false, start: 0, end: 0))
        position += 1
        skipWhitespace()
        var count: Int32 = 0
        if !atEnd, byte == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                guard value(depth: depth) else { return false }
                count += 1
                guard let more = separator(closing: UInt8(ascii: "]")) else { return false }
                if !more { break }
            }
        }
        tokens[index].start = count
        tokens[index].end = Int32(tokens.count)
        return true
    }

    /// A string; its escapes are checked for form here, its UTF-8 and surrogates when it is decoded.
    private mutating func string() -> Bool {
        let base = self.base
        let count = self.count
        let start = position + 1
        var i = start
        var escaped = false
        var nonASCII = false
        var high: UInt64 = 0
        while true {
            while i + 8 <= count {
                let word = WireJSONText.load8(base, i)
                if WireJSONText.needsAttention(word) { break }
                high |= word
                i += 8
            }
            guard i < count else { return false }
            let b = base[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < count else { return false }
                switch base[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard count - i > 5 else { return false }
                    for j in i + 2...i + 5 where WireJSONText.hexValue(base[j]) == nil { return false }
                    i += 6
                default:
                    return false
                }
                continue
            }
            if b < 0x20 { return false }
            if b >= 0x80 { nonASCII = true }
            i += 1
        }
        if high & 0x8080_8080_8080_8080 != 0 { nonASCII = true }
        tokens.append(.init(kind: .string, escapedOrFractional: escaped, nonASCIIOrNegative: nonASCII, start: Int32(start), end: Int32(i)))
        position = i + 1
        return true
    }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() -> Bool {
        let start = position
        let negative = byte == UInt8(ascii: "-")
        if negative { position += 1 }
        guard digits() else { return false }
        let integerDigits = position - start - (negative ? 1 : 0)
        if integerDigits > 1, base[start + (negative ? 1 : 0)] == UInt8(ascii: "0") { return false }
        var fractional = false
        if !atEnd, byte == UInt8(ascii: ".") {
            position += 1
            guard digits() else { return false }
            fractional = true
        }
        if !atEnd, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            if !atEnd, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { position += 1 }
            guard digits() else { return false }
            fractional = true
        }
        tokens.append(.init(kind: .number, escapedOrFractional: fractional, nonASCIIOrNegative: negative, start: Int32(start), end: Int32(position)))
        return true
    }

    private mutating func digits() -> Bool {
        let start = position
        while !atEnd, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position > start
    }
}
