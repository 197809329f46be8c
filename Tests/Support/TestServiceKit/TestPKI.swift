import Foundation

/// A throwaway public-key infrastructure made with the `openssl` CLI in a temporary
/// directory (EC P-256 keys, certificates valid for two days):
///
/// - a test CA (`ca.pem`, `ca.key`);
/// - a server certificate for `localhost` (SAN `DNS:localhost`, `IP:127.0.0.1`) signed by it;
/// - a client certificate `CN=tender-records` (SAN `DNS:tender-records`) signed by it;
/// - a second, untrusted CA and a client certificate with the same name signed by that one,
///   so a refusal can only come from the chain, not from the name.
public struct TestPKI: Sendable {
    public static let clientName = "tender-records"

    public let directory: String

    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var untrustedCACertificate: String { directory + "/untrusted-ca.pem" }
    public var untrustedClientCertificate: String { directory + "/untrusted-client.pem" }
    public var untrustedClientKey: String { directory + "/untrusted-client.key" }

    public static func make() async throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "tender-pki-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pki = TestPKI(directory: directory)
        do {
            try await pki.build()
        } catch {
            pki.remove()
            throw error
        }
        return pki
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func build() async throws {
        try write("ca.ext", """
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """)
        try write("server.ext", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """)
        try write("client.ext", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth
            subjectAltName = DNS:\(Self.clientName)
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """)

        try await selfSignedCA(name: "ca", subject: "/O=TenderDialogue tests/CN=Tender Test CA")
        try await issue(name: "server", subject: "/CN=localhost", extensions: "server.ext", ca: "ca")
        try await issue(name: "client", subject: "/CN=\(Self.clientName)", extensions: "client.ext", ca: "ca")
        try await selfSignedCA(name: "untrusted-ca", subject: "/O=Somebody else/CN=Untrusted Test CA")
        try await issue(name: "untrusted-client", subject: "/CN=\(Self.clientName)", extensions: "client.ext", ca: "untrusted-ca")

        // The files the tests rely on exist and chain as intended.
        try await openssl(["verify", "-CAfile", "ca.pem", "server.pem", "client.pem"])
        let crossCheck = try await Command.run("openssl", ["verify", "-CAfile", "ca.pem", "untrusted-client.pem"], currentDirectory: directory)
        guard crossCheck.exitCode != 0 else {
            throw CommandError("test PKI: the untrusted client certificate verifies against the test CA:\n" + crossCheck.transcript)
        }
    }

    private func selfSignedCA(name: String, subject: String) async throws {
        try await newKey("\(name).key")
        try await openssl(["req", "-new", "-key", "\(name).key", "-subj", subject, "-out", "\(name).csr"])
        try await openssl(["x509", "-req", "-in", "\(name).csr", "-signkey", "\(name).key", "-extfile", "ca.ext",
                           "-days", "2", "-set_serial", Self.serial(), "-out", "\(name).pem"])
    }

    private func issue(name: String, subject: String, extensions: String, ca: String) async throws {
        try await newKey("\(name).key")
        try await openssl(["req", "-new", "-key", "\(name).key", "-subj", subject, "-out", "\(name).csr"])
        try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                           "-extfile", extensions, "-days", "2", "-set_serial", Self.serial(), "-out", "\(name).pem"])
    }

    private func newKey(_ file: String) async throws {
        try await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await Command.run("openssl", arguments, currentDirectory: directory)
        guard result.exitCode == 0 else { throw CommandError("test PKI: openssl failed:\n" + result.transcript) }
    }

    private func write(_ file: String, _ text: String) throws {
        try (text + "\n").write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
    }

    private static func serial() -> String {
        "0x" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
