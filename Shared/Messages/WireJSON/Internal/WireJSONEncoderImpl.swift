import Foundation

/// The `Encoder` that writes JSON text straight into one byte array, in the order values
/// are encoded, and puts each object's members into Foundation's `.sortedKeys` order (the
/// UTF-8 bytes of the names, compared lexicographically) when the object is closed.
///
/// Containers are a stack: encoding into a container closes the containers opened after it,
/// and encoding into a closed container, asking one value for two containers, a value that
/// encodes nothing, two members of one name, `superEncoder` and the types Foundation encodes
/// specially (`Data`, `URL`, `Decimal`) are ``Unsupported``: the caller then encodes with
/// Foundation instead.
final class WireJSONEncoderImpl: Encoder, SingleValueEncodingContainer {
    struct Unsupported: Error {}

    private struct Frame {
        let id: Int
        let keyed: Bool
        /// The offset of the `{` or `[`.
        let start: Int
        /// Where this frame's members begin in `members`.
        let base: Int
        var count = 0
        var sorted = true
        /// Some name is not plain ASCII: names that differ in bytes may still be equal
        /// `String`s (canonical equivalence), which Foundation's dictionary merges.
        var special = false
    }

    private struct Member {
        /// The offset of the name's opening quote.
        let start: Int
        /// The offset after the name's closing quote.
        let nameEnd: Int
        /// The name where it is not plain ASCII without escapes; plain names are compared
        /// in the output bytes, where they stand exactly as they are.
        let special: String?
    }

    // Unchecked: dynamic exclusivity checks on these were a third of the encoder's time,
    // and no access to them overlaps another (one encoder, one thread, no re-entrancy).
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) private var frames: [Frame] = []
    /// The members of all open keyed frames, innermost last.
    @exclusivity(unchecked) private var members: [Member] = []
    @exclusivity(unchecked) private var nextFrameID = 0
    /// A value has been handed this encoder and has not yet written anything.
    @exclusivity(unchecked) private var pending = false
    /// Set where the protocol gives no way to throw (`container(keyedBy:)`, `superEncoder`).
    @exclusivity(unchecked) private(set) var failed = false

    init() {
        bytes.reserveCapacity(512)
    }

    /// Derived from the open containers rather than kept up to date on every value: only
    /// error messages read it, and errors hand the value to Foundation.
    var codingPath: [any CodingKey] { codingPath(depth: frames.count) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The path to the current member or element of each of the outermost `depth` frames.
    func codingPath(depth: Int) -> [any CodingKey] {
        frames.prefix(depth).map { frame -> any CodingKey in
            frame.keyed ? WireJSONNameKey(name(members[frame.base + frame.count - 1])) : WireJSONIndexKey(frame.count - 1)
        }
    }

    /// Encodes a whole document.
    func encodeDocument(_ value: some Encodable) throws {
        try encodeValue(value)
        guard !failed else { throw Unsupported() }
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(WireJSONKeyedEncoding<Key>(impl: self, frame: openFrame(keyed: true, claiming: true), depth: frames.count))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        WireJSONUnkeyedEncoding(impl: self, frame: openFrame(keyed: false, claiming: true), depth: frames.count)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// Opens `{` or `[`; `claiming` for a container asked of the encoder (the value's one
    /// slot), otherwise a nested container whose member or element was begun already.
    func openFrame(keyed: Bool, claiming: Bool) -> Int {
        if claiming {
            guard pending else {
                failed = true
                return -1
            }
            pending = false
        }
        nextFrameID += 1
        frames.append(Frame(id: nextFrameID, keyed: keyed, start: bytes.count, base: members.count))
        bytes.append(keyed ? UInt8(ascii: "{") : UInt8(ascii: "["))
        return nextFrameID
    }

    /// Opens a container nested in a member or element that `begin` starts.
    func openNested(keyed: Bool, after begin: () throws -> Void) -> Int {
        do {
            try begin()
        } catch {
            failed = true
            return -1
        }
        return openFrame(keyed: keyed, claiming: false)
    }

    // MARK: Members and elements

    /// Makes `frame` the innermost open container, closing those opened after it.
    private func resume(_ frame: Int) throws -> Int {
        guard !failed else { throw Unsupported() }
        if let top = frames.last, top.id == frame { return frames.count - 1 }
        guard let index = frames.lastIndex(where: { $0.id == frame }) else { throw Unsupported() }
        try closeFrames(downTo: index + 1)
        return index
    }

    /// Writes `,"name":` into keyed `frame`.
    func beginMember(_ frame: Int, name: String) throws {
        let index = try resume(frame)
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        let start = bytes.count
        let plain = WireJSONText.appendString(name, to: &bytes)
        let member = Member(start: start, nameEnd: bytes.count, special: plain ? nil : name)
        bytes.append(UInt8(ascii: ":"))
        if !plain { frames[index].special = true }
        if frames[index].count > 0, frames[index].sorted, !precedes(members[members.count - 1], member) {
            frames[index].sorted = false
        }
        frames[index].count += 1
        members.append(member)
    }

    private func name(_ member: Member) -> String {
        member.special ?? String(decoding: bytes[member.start + 1..<member.nameEnd - 1], as: UTF8.self)
    }

    /// Foundation's `.sortedKeys` order on Linux: the names' UTF-8 bytes, lexicographically.
    private func precedes(_ a: Member, _ b: Member) -> Bool {
        guard a.special == nil, b.special == nil else { return WireJSONText.utf8Precedes(name(a), name(b)) }
        return bytes.withUnsafeBufferPointer { buffer in
            let lengthA = a.nameEnd - a.start - 2
            let lengthB = b.nameEnd - b.start - 2
            let common = min(lengthA, lengthB)
            if common > 0 {
                let order = memcmp(buffer.baseAddress! + a.start + 1, buffer.baseAddress! + b.start + 1, common)
                if order != 0 { return order < 0 }
            }
            return lengthA < lengthB
        }
    }

    /// Writes `,` if needed into unkeyed `frame`.
    func beginElement(_ frame: Int) throws {
        let index = try resume(frame)
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
    }

    func closeFrames(downTo depth: Int) throws {
        while frames.count > depth {
            let frame = frames.removeLast()
            if frame.keyed {
                if !frame.sorted { try sortMembers(frame) }
                members.removeLast(frame.count)
                bytes.append(UInt8(ascii: "}"))
            } else {
                bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    /// Rewrites the members `"name":value` of `frame` in the order of their names' bytes.
    private func sortMembers(_ frame: Frame) throws {
        let offset = frame.start + 1
        let end = bytes.count
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: frame.count) { order in
            // Insertion sort: objects have a handful of members, and it allocates nothing.
            for i in 0..<frame.count {
                var j = i
                while j > 0, precedes(members[frame.base + i], members[frame.base + order[j - 1]]) {
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = i
            }
            for i in 1..<max(frame.count, 1) where !precedes(members[frame.base + order[i - 1]], members[frame.base + order[i]]) {
                // Foundation keeps the last value of a repeated name; not worth imitating.
                throw Unsupported()
            }
            if frame.special {
                for i in 0..<frame.count {
                    for j in i + 1..<frame.count where name(members[frame.base + i]) == name(members[frame.base + j]) { throw Unsupported() }
                }
            }
            var out = offset
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: end - offset) { source in
                bytes.withUnsafeMutableBufferPointer { target in
                    source.baseAddress!.initialize(from: target.baseAddress! + offset, count: end - offset)
                    for position in 0..<frame.count {
                        if position > 0 {
                            target[out] = UInt8(ascii: ",")
                            out += 1
                        }
                        let member = frame.base + order[position]
                        let from = members[member].start - offset
                        let to = order[position] + 1 < frame.count ? members[member + 1].start - 1 - offset : end - offset
                        (target.baseAddress! + out).update(from: source.baseAddress! + from, count: to - from)
                        out += to - from
                    }
                }
            }
        }
    }

    // MARK: Values

    func encodeValue<T: Encodable>(_ value: T) throws {
        if T.self == Date.self {
            // JSONCoding's date strategy.
            WireJSONText.appendString(Timestamp(value as! Date).iso8601, to: &bytes)
            return
        }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw Unsupported() }
        // Elements of arrays and dictionaries arrive here generically; write the common
        // scalars and arrays of them without the detour through `encode(to:)`.
        if T.self == String.self {
            WireJSONText.appendString(unsafeBitCast(value, to: String.self), to: &bytes)
            return
        }
        if T.self == Int.self { return WireJSONText.appendInteger(unsafeBitCast(value, to: Int.self), to: &bytes) }
        if T.self == Int64.self { return WireJSONText.appendInteger(unsafeBitCast(value, to: Int64.self), to: &bytes) }
        if T.self == [String].self { return appendArray(unsafeBitCast(value, to: [String].self)) { WireJSONText.appendString($0, to: &bytes) } }
        if T.self == [Int].self { return appendArray(unsafeBitCast(value, to: [Int].self)) { WireJSONText.appendInteger($0, to: &bytes) } }
        let depth = frames.count
        pending = true
        try value.encode(to: self)
        guard !pending, !failed else { throw Unsupported() }
        try closeFrames(downTo: depth)
    }

    private func appendArray<Element>(_ elements: [Element], _ append: (Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    func encodeFloat<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) throws {
        guard value.isFinite else { throw Unsupported() }
        WireJSONText.appendFloat(value, to: &bytes)
    }

    // MARK: SingleValueEncodingContainer

    private func claim() throws {
        guard pending, !failed else { throw Unsupported() }
        pending = false
    }

    func encodeNil() throws { try claim(); bytes.append(contentsOf: "null".utf8) }
    func encode(_ value: Bool) throws { try claim(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func encode(_ value: String) throws { try claim(); WireJSONText.appendString(value, to: &bytes) }
    func encode(_ value: Double) throws { try claim(); try encodeFloat(value) }
    func encode(_ value: Float) throws { try claim(); try encodeFloat(value) }
    func encode(_ value: Int) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: Int8) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: Int16) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: Int32) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: Int64) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: UInt) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: UInt8) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: UInt16) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: UInt32) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode(_ value: UInt64) throws { try claim(); WireJSONText.appendInteger(value, to: &bytes) }
    func encode<T: Encodable>(_ value: T) throws {
        try claim()
        try encodeValue(value)
    }

    /// For `superEncoder()`: never supported, and the protocol cannot throw there.
    func refuse() -> any Encoder {
        failed = true
        return self
    }
}
