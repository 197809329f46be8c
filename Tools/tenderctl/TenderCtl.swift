import ArgumentParser

/// The operator and developer CLI.
@main
struct TenderCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenderctl",
        abstract: "Operate and develop TenderDialogue: local keys and tokens, RPC calls.",
        subcommands: [Up.self, Demo.self, Keys.self, Token.self, Call.self, Record.self, Clock.self])
}
