import ArgumentParser
import Foundation
import UnixSignals

/// `tenderctl up`: the whole stack on this machine.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every service as a local process (h2c on loopback, SQLite) until Ctrl-C.",
        discussion: """
            Builds nothing: the service executables must be built (`swift build`). Each service \
            gets DIR/<service>/ for its data and DIR/logs/<service>.log; the local token issuer \
            is DIR/issuer.key (`tenderctl token --data-dir DIR`), the driven clock DIR/clock.json \
            (`tenderctl clock advance --file DIR/clock.json --by 10d`). Writes DIR/endpoints.json \
            (service → URL) once everything listens, and prints it. A service that dies is \
            restarted on the same ports. Ctrl-C or SIGTERM stops them all, each draining first.
            """)

    @Option(name: .customLong("data-dir"), help: "The stack's directory.") var dataDirectory = "./data"
    @Flag(name: .customLong("any-ports"), help: "Free ports chosen at start instead of 7100 (records), 7200 (intake), 7300 (vault), 7400 (evaluation), 7500 (negotiation) and those + 1000 for ops.") var anyPorts = false
    @Option(name: .customLong("bin-dir"), help: "Where the service executables are (default: beside tenderctl).") var binDirectory: String?

    func run() async throws {
        let layout = StackLayout(directory: dataDirectory)
        let stack = try LocalStack(
            layout: layout, binDirectory: binDirectory.map { URL(fileURLWithPath: $0) } ?? defaultBinDirectory(),
            anyPorts: anyPorts) { line in print("tenderctl: \(line)") }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        do {
            try await stack.start()
        } catch {
            FileHandle.standardError.write(Data("tenderctl up: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: layout.endpoints)), as: UTF8.self))
        print("stack running in \(layout.directory); tokens: tenderctl token --data-dir \(layout.directory) --role officer --sub kari")
        print("Ctrl-C stops it")
        for await _ in signals { break }
        print("tenderctl: stopping")
        await stack.stop()
        print("tenderctl: stopped")
    }
}
