import Foundation

/// A throwaway PKI made with the `openssl` CLI in a temporary directory, as SystemTests'
/// `TestPKI` makes one: a test CA, a server certificate for `localhost` (SAN
/// `DNS:localhost`, `IP:127.0.0.1`) signed by it, and a second CA that signed nothing here,
/// for a client that trusts the wrong root.
struct ClientPKI: Sendable {
    let directory: String

    var caCertificate: String { directory + "/ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var otherCACertificate: String { directory + "/other-ca.pem" }

    static func make() async throws -> ClientPKI {
        let pki = ClientPKI(directory: NSTemporaryDirectory() + "tender-client-pki-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: pki.directory, withIntermediateDirectories: true)
        do {
            try await pki.build()
        } catch {
            pki.remove()
            throw error
        }
        return pki
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func build() async throws {
        try write("ca.ext", "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash")
        try write("server.ext", """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """)
        for ca in ["ca", "other-ca"] {
            try await openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(ca).key")
            try await openssl("req", "-new", "-key", "\(ca).key", "-subj", "/O=TenderDialogue tests/CN=\(ca)", "-out", "\(ca).csr")
            try await openssl("x509", "-req", "-in", "\(ca).csr", "-signkey", "\(ca).key", "-extfile", "ca.ext", "-days", "2", "-out", "\(ca).pem")
        }
        try await openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "server.key")
        try await openssl("req", "-new", "-key", "server.key", "-subj", "/CN=localhost", "-out", "server.csr")
        try await openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                          "-extfile", "server.ext", "-days", "2", "-out", "server.pem")
        try await openssl("verify", "-CAfile", "ca.pem", "server.pem")
    }

    /// Runs openssl in this directory (through `sh -c 'cd … && exec openssl …'`, as
    /// ``ExternalTool`` runs programs without a working directory of their own).
    private func openssl(_ arguments: String...) async throws {
        let quoted = ([directory] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let result = try await ExternalTool.run("sh", ["-c", "cd \(quoted[0]) && exec openssl \(quoted.dropFirst().joined(separator: " "))"])
        guard result.exitCode == 0 else { throw ClientTestError("test PKI: openssl \(arguments.first ?? "") failed:\n" + result.transcript) }
    }

    private func write(_ file: String, _ text: String) throws {
        try (text + "\n").write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
    }
}
