import Foundation
import Messages
import Testing

@Suite("Value types")
struct ValueTypeTests {
    @Test func timestampRoundTrip() throws {
        let t = try #require(Timestamp(iso8601: "2026-11-29T03:38:04.120Z"))
        #expect(t.iso8601 == "2026-11-29T03:38:04.120Z")
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: "2024-02-29T12:00:00Z")?.iso8601 == "2024-02-29T12:00:00.000Z")
        // Offsets convert to UTC: Oslo winter time is +01:00.
        #expect(Timestamp(iso8601: "2026-12-01T12:00:00+01:00")?.iso8601 == "2026-12-01T11:00:00.000Z")
        #expect(Timestamp(iso8601: "2026-12-01T12:00:00.5Z")?.millisecondsSinceEpoch == Timestamp(iso8601: "2026-12-01T12:00:00Z")!.millisecondsSinceEpoch + 500)
        // Agrees with Foundation for a spread of instants.
        for ms in stride(from: Int64(-5_000_000_000_000), to: 5_000_000_000_000, by: 123_456_789_012) {
            let formatted = Timestamp(millisecondsSinceEpoch: ms).iso8601
            #expect(Timestamp(iso8601: formatted)?.millisecondsSinceEpoch == ms)
            let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            let foundation = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(formatted.prefix(19) == foundation.prefix(19))
        }
    }

    @Test("timestamp refuses", arguments: ["", "2026-11-29", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T03:38:04", "2026-11-29T03:38:04.Z", "2026-11-29T03:38:04Zjunk"])
    func timestampRefuses(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func identifiers() throws {
        #expect(ChallengeID("smart-oslo-2026") != nil)
        #expect(ChallengeID("") == nil)
        #expect(ChallengeID("has space") == nil)
        #expect(ChallengeID(String(repeating: "a", count: 129)) == nil)
        let fresh = ChallengeID()
        #expect(UUID(uuidString: fresh.rawValue) != nil)
        struct Wrapper: Codable { var id: ApplicationID }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: Data(#"{"id":"a/b"}"#.utf8)) }
    }

    @Test func vaultRef() {
        let ref = VaultRef.random()
        #expect(VaultRef(ref.rawValue) == ref)
        #expect(VaultRef("vref_0123") == nil)
        #expect(VaultRef("xref_" + String(repeating: "a", count: 32)) == nil)
        #expect(VaultRef.random() != ref)
    }

    @Test func digest() throws {
        // SHA-256("abc") from FIPS 180-2.
        let d = Digest.sha256(Array("abc".utf8))
        #expect(d.description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest(d.description) == d)
        #expect(Digest("sha256:zz") == nil)
        let salt: [UInt8] = Array(repeating: 7, count: 32)
        #expect(Digest.salted(Array("abc".utf8), salt: salt) == Digest.sha256(salt + Array("abc".utf8)))
        #expect(Digest.salted(Array("abc".utf8), salt: salt) != Digest.salted(Array("abd".utf8), salt: salt))
    }

    @Test func canonicalJSON() throws {
        struct Sample: Codable { var zeta: Int; var alpha: String; var nested: [String: Int]; var url: String }
        let bytes = try CanonicalJSON.encode(Sample(zeta: 1, alpha: "å", nested: ["b": 2, "a": 1], url: "a/b"))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"alpha":"å","nested":{"a":1,"b":2},"url":"a/b","zeta":1}"#)
        let messy = Data(#"{ "b" : [1, 2, {"y":true,"x":null}], "a":"s" }"#.utf8)
        let canonical = try CanonicalJSON.canonicalize(messy)
        #expect(String(decoding: canonical, as: UTF8.self) == #"{"a":"s","b":[1,2,{"x":null,"y":true}]}"#)
        #expect(try CanonicalJSON.canonicalize(canonical) == canonical)
    }

    @Test func errorCodesMapToConnectStatuses() throws {
        let table: [ErrorCode: Int] = [
            .invalidArgument: 400, .failedPrecondition: 400, .outOfRange: 400, .unauthenticated: 401,
            .permissionDenied: 403, .notFound: 404, .alreadyExists: 409, .aborted: 409,
            .resourceExhausted: 429, .canceled: 499, .unknown: 500, .internal: 500, .dataLoss: 500,
            .unimplemented: 501, .unavailable: 503, .deadlineExceeded: 504,
        ]
        #expect(table.count == ErrorCode.allCases.count)
        for (code, status) in table { #expect(code.httpStatus == status, "\(code)") }
        let error = RPCError.invalidField("criteria[2].weight", "is required")
        let decoded = try JSONDecoder().decode(RPCError.self, from: try CanonicalJSON.encode(error))
        #expect(decoded == error)
        #expect(decoded.fieldPath == "criteria[2].weight")
        #expect(try JSONDecoder().decode(RPCError.self, from: Data(#"{"code":"brand_new","message":"x"}"#.utf8)).code == .unknown)
    }

    @Test func access() {
        #expect(Access.everyone.admits(nil))
        #expect(!Access.roles([.officer]).admits(nil))
        #expect(!Access.roles([.officer]).admits([.startup]))
        #expect(Access.roles([.officer, .auditor]).admits([.auditor, .startup]))
    }
}
