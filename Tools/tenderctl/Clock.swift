import ArgumentParser
import Foundation
import Messages
import Logging
import ServiceKit

/// `tenderctl clock`: the driven clock of a local stack.
struct Clock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or advance the driven clock shared by local services (local mode only).",
        subcommands: [Show.self, Advance.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the driven time and its offset.")
        @Option(help: "The clock file the services were started with (CLOCK_FILE).") var file: String

        func run() async throws {
            let clock = DrivenWallClock(file: file, logger: .init(label: "tenderctl"))
            print("\(clock.now().iso8601) (offset \(clock.offset()) ms)")
        }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move the driven clock forward, e.g. --by 10d, 36h, 90m, 45s.")
        @Option(help: "The clock file the services were started with (CLOCK_FILE).") var file: String
        @Option(help: "How far: a number with d, h, m or s.") var by: String

        func run() async throws {
            guard let unit = by.last, let amount = Int64(by.dropLast()), amount >= 0,
                  let scale: Int64 = ["d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000][unit]
            else { throw ValidationError("--by takes a whole number with d, h, m or s, e.g. 10d") }
            let offset = try DrivenWallClock.advance(file: file, byMilliseconds: amount * scale)
            print("driven clock now \(Timestamp(Date()).adding(milliseconds: offset).iso8601) (offset \(offset) ms)")
        }
    }
}
