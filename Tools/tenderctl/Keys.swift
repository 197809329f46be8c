import ArgumentParser
import Foundation
import RPC

/// `tenderctl keys`: the local identity provider's key, for local and development mode.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the local token issuer's key in a data directory (local mode only).",
        discussion: """
            Writes DIR/issuer.key (the Ed25519 seed, base64; give it to services as \
            AUTH_LOCAL_ISSUER_KEY_FILE) and DIR/jwks.json (the public key; AUTH_JWKS_FILE). \
            An existing key is kept unless --force.
            """)

    @Option(name: .customLong("data-dir"), help: "Directory for the keys.") var dataDirectory = "./data"
    @Flag(help: "Replace an existing key.") var force = false

    func run() async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let keyFile = dataDirectory + "/issuer.key"
        if FileManager.default.fileExists(atPath: keyFile) && !force {
            print("\(keyFile) exists; keeping it (use --force to replace)")
            return
        }
        let issuer = LocalTokenIssuer(audience: "tenderdialogue")
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(issuer.seedBase64.utf8), attributes: [.posixPermissions: 0o600])
        try issuer.jwksJSON.write(toFile: dataDirectory + "/jwks.json", atomically: true, encoding: .utf8)
        print("wrote \(keyFile) and \(dataDirectory)/jwks.json")
    }
}

/// Loads the local issuer from `<dataDirectory>/issuer.key`.
func localIssuer(dataDirectory: String, audience: String) throws -> LocalTokenIssuer {
    let keyFile = dataDirectory + "/issuer.key"
    guard let seed = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
        throw ValidationError("no local issuer key at \(keyFile); run `tenderctl keys --data-dir \(dataDirectory)` first")
    }
    return try LocalTokenIssuer(seedBase64: seed, audience: audience)
}
