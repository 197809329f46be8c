import ServiceKit

/// The `tender-vault` process.
public enum VaultApp {
    public static let defaultPort = 7300

    public static func run() async throws {
        throw SettingsError("tender-vault is being built (issue #4)")
    }
}
