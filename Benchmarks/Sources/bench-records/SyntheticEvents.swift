import Foundation
import Messages

/// Events as Intake emits them most often: `application.received`, with the sealed applicant,
/// the digest of the commitment and a Vault reference.
///
/// Made cheaply (a SplitMix64 stream for salts and references, sequential ids), so the
/// benchmark measures the record, not the system's random number source.
enum SyntheticEvents {
    static let challenge = ChallengeID("bench-smart-bins-2026")!
    static let actor = Actor(subject: "intake", role: .service)
    static let base: Int64 = 1_780_000_000_000

    static func make(_ n: Int64) -> ProcurementEvent {
        var random = SplitMix64(seed: UInt64(bitPattern: n) &* 0x9E37_79B9_7F4A_7C15)
        let salt = (0..<4).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } }
        let ref = (0..<2).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } }.hexString
        let applicant = Data("{\"companyName\":\"Startup \(n) AS\",\"orgNumber\":\"923609016\"}".utf8)
        return ProcurementEvent(
            id: EventID("bench-\(n)-\(random.next() & 0xffff_ffff)")!, challenge: challenge, actor: actor,
            time: Timestamp(millisecondsSinceEpoch: base + n),
            payload: .applicationReceived(ApplicationReceived(
                application: ApplicationID("app-\(n)")!, applicant: .salted(applicant, salt: salt),
                commitment: .sha256(Data("application \(n)".utf8)), vaultRef: VaultRef("vref_" + ref)!)))
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
