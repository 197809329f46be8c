/// One fuzzer input: a control byte, then the bytes the client sends.
///
/// The control byte lets mutations reach what bytes alone cannot: how reads are split
/// (nghttp2 must resume mid-frame), server-side events between reads (graceful shutdown,
/// its timers, the idle timeout), and a peer that goes away while calls run.
struct FuzzInput {
    let wire: [UInt8]
    /// Bytes per channel read.
    let chunkSize: Int
    /// Halfway through, the server starts its graceful GOAWAY (shutdown or max age).
    let gracefulCloseHalfway: Bool
    /// Halfway through, 1.5 s pass: the final GOAWAY's timer fires.
    let advanceTimeHalfway: Bool
    /// After the last read, 20 s pass: idle timeout, max age and graceful close timers fire.
    let advanceTimeAtEnd: Bool
    /// Halfway through, the connection closes under the running calls.
    let closeHalfway: Bool
    /// Halfway through, the socket stops taking writes (the channel turns unwritable); it
    /// takes them again after the last read.
    let unwritableHalfway: Bool
    /// Halfway through, the next flush fails: the channel closes inside it, as it does on
    /// a socket write error (ECONNRESET, EPIPE).
    let writeErrorHalfway: Bool

    init(_ input: UnsafeBufferPointer<UInt8>) {
        let control = input.first ?? 0
        wire = Array(input.dropFirst())
        chunkSize = [Int.max, 1, 13, 100][Int(control & 0b11)]
        gracefulCloseHalfway = control & 0b100 != 0
        advanceTimeHalfway = control & 0b1000 != 0
        advanceTimeAtEnd = control & 0b1_0000 != 0
        closeHalfway = control & 0b10_0000 != 0
        unwritableHalfway = control & 0b100_0000 != 0
        writeErrorHalfway = control & 0b1000_0000 != 0
    }

    /// The reads the channel gets, in order.
    var chunks: [ArraySlice<UInt8>] {
        stride(from: 0, to: wire.count, by: min(chunkSize, max(wire.count, 1))).map {
            wire[$0..<min($0 + min(chunkSize, wire.count), wire.count)]
        }
    }
}
