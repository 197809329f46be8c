import BenchSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU time of this client (user + system, all threads: `getrusage(RUSAGE_SELF)`) and,
/// with `--server-pid`, of the server (utime + stime from `/proc/PID/stat`) over the measured
/// window of `closedLoop`: from `warmUp` after `start` to `duration` later.
///
/// A thread of its own takes both samples at those instants, so a busy cooperative pool
/// (64 tasks calling) does not delay them. Start it right before `closedLoop`, which counts
/// the calls started in the same window.
final class CPUWindow: @unchecked Sendable {
    private struct Sample {
        var clientSeconds: Double
        var serverTicks: Int?
    }

    private let lock = NSLock()
    private var samples: [Sample] = []

    private init() {}

    static func start(warmUp: Duration, duration: Duration, serverPID: Int?) -> CPUWindow {
        let window = CPUWindow()
        let clock = ContinuousClock()
        let from = clock.now.advanced(by: warmUp)
        let end = from.advanced(by: duration)
        let thread = Thread {
            for instant in [from, end] {
                while true {
                    let left = clock.now.duration(to: instant)
                    guard left > .zero else { break }
                    Thread.sleep(forTimeInterval: left.microseconds / 1_000_000)
                }
                let sample = Sample(clientSeconds: Self.ownCPUSeconds(), serverTicks: serverPID.flatMap(Self.ticks(of:)))
                window.lock.withLock { window.samples.append(sample) }
            }
        }
        thread.start()
        return window
    }

    /// The window's fields for the RESULT line: the client's and the server's CPU µs per call
    /// and the share of one core each used (empty for the server without `--server-pid`).
    func fields(calls: Int, seconds: Double) async -> [(String, String)] {
        var taken: [Sample] = []
        for _ in 0..<5000 { // the end sample is due when closedLoop returns; allow 5 s more
            taken = lock.withLock { samples }
            if taken.count == 2 { break }
            try? await Task.sleep(for: .milliseconds(1))
        }
        guard taken.count == 2, calls > 0, seconds > 0 else { return [] }
        let client = taken[1].clientSeconds - taken[0].clientSeconds
        var fields = [
            ("client_cpu_us_per_call", String(format: "%.1f", client * 1e6 / Double(calls))),
            ("client_core", String(format: "%.2f", client / seconds)),
        ]
        if let before = taken[0].serverTicks, let after = taken[1].serverTicks {
            let server = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
            // the same names as the h2load rows: the server's CPU per call and core share
            fields.append(("cpu_us", String(format: "%.1f", server * 1e6 / Double(calls))))
            fields.append(("server_core", String(format: "%.2f", server / seconds)))
        }
        return fields
    }

    private static func ownCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue) // an enum constant in Glibc, an Int32 parameter
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return .nan }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// utime + stime of all the process's threads, in clock ticks (nil without /proc).
    private static func ticks(of pid: Int) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.range(of: ") ", options: .backwards)
        else { return nil }
        // after the command name: field 3 (state) first, so utime (14) and stime (15) are 11 and 12
        let fields = stat[close.upperBound...].split(separator: " ")
        guard fields.count > 12, let utime = Int(fields[11]), let stime = Int(fields[12]) else { return nil }
        return utime + stime
    }
}
