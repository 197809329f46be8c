import Foundation

/// Latencies of one load run, and the line a benchmark prints for `Benchmarks/run`.
public struct LoadResult: Sendable {
    public var calls: Int
    public var errors: Int
    public var seconds: Double
    /// Sorted, in microseconds.
    public var latencies: [Double]

    public init(calls: Int, errors: Int, seconds: Double, latencies: [Double]) {
        self.calls = calls
        self.errors = errors
        self.seconds = seconds
        self.latencies = latencies.sorted()
    }

    public var callsPerSecond: Double { seconds > 0 ? Double(calls) / seconds : 0 }

    /// The `q` quantile (0...1), nearest rank.
    public func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let rank = Int((q * Double(latencies.count)).rounded(.up)) - 1
        return latencies[min(max(rank, 0), latencies.count - 1)]
    }

    /// `key=value` pairs on one line, e.g. `rps=8123.4 p50_us=7712 p99_us=12345 calls=… errors=…`.
    public func line(_ extra: [(String, String)] = []) -> String {
        let fields = extra + [
            ("rps", String(format: "%.1f", callsPerSecond)),
            ("p50_us", String(format: "%.0f", percentile(0.50))),
            ("p99_us", String(format: "%.0f", percentile(0.99))),
            ("calls", String(calls)),
            ("errors", String(errors)),
        ]
        return "RESULT " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
}

/// `--name value` options from the command line.
public struct Options: Sendable {
    let values: [String: String]
    public let positional: [String]

    public init(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        var values: [String: String] = [:]
        var positional: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument.hasPrefix("--"), index + 1 < arguments.endIndex {
                values[String(argument.dropFirst(2))] = arguments[index + 1]
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
        self.values = values
        self.positional = positional
    }

    public func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    public func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
    public func double(_ name: String, _ fallback: Double) -> Double { values[name].flatMap(Double.init) ?? fallback }
}

extension Duration {
    /// In microseconds, as a `Double`.
    public var microseconds: Double {
        Double(components.seconds) * 1_000_000 + Double(components.attoseconds) / 1_000_000_000_000
    }
}

/// Writes one line to standard output at once (not buffered until exit), so `Benchmarks/run`
/// keeps every result even of a run it has to stop.
public func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
