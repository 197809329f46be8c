import ServiceKit

/// The `tender-intake` process.
public enum IntakeApp {
    public static let defaultPort = 7200

    public static func run() async throws {
        throw SettingsError("tender-intake is being built (issue #4)")
    }
}
