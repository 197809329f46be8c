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

            With --database-url postgres://user:password@host:port/NAME every service uses \
            PostgreSQL instead, each its own database NAME_<service> (created when missing; \
            the user needs CREATEDB), and --replicas N runs every service N times on free \
            ports, sharing its database; Records runs at least twice (a writer and a standby). \
            endpoints.json then lists every replica's URL, comma-separated, and callers spread \
            their calls over them.
            """)

    @Option(name: .customLong("data-dir"), help: "The stack's directory.") var dataDirectory = "./data"
    @Flag(name: .customLong("any-ports"), help: "Free ports chosen at start instead of 7100 (records), 7200 (intake), 7300 (vault), 7400 (evaluation), 7500 (negotiation) and those + 1000 for ops.") var anyPorts = false
    @Option(name: .customLong("bin-dir"), help: "Where the service executables are (default: beside tenderctl).") var binDirectory: String?
    @OptionGroup var postgres: PostgresMode

    func run() async throws {
        let layout = StackLayout(directory: dataDirectory)
        let stack = try LocalStack(
            layout: layout, binDirectory: binDirectory.map { URL(fileURLWithPath: $0) } ?? defaultBinDirectory(),
            anyPorts: anyPorts, databases: try postgres.databases(), replicas: postgres.replicas) { line in print("tenderctl: \(line)"); fflush(nil) }
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

/// `--database-url` and `--replicas` of `up` and `demo`.
struct PostgresMode: ParsableArguments {
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "PostgreSQL instead of SQLite: postgres://user:password@host:port/NAME (add ?tlsmode=disable for a local server without TLS).",
        discussion: "Each service gets its own database NAME_<service>, created when missing."))
    var databaseURL: String?
    @Option(help: "Processes per service, sharing its PostgreSQL database (needs --database-url; Records runs at least 2).")
    var replicas = 1

    func validate() throws {
        guard (1...9).contains(replicas) else { throw ValidationError("--replicas must be 1…9") }
        guard replicas == 1 || databaseURL != nil else { throw ValidationError("--replicas needs --database-url: replicas share a PostgreSQL database") }
    }

    func databases() throws -> StackDatabases? {
        try databaseURL.map(StackDatabases.init(url:))
    }
}
