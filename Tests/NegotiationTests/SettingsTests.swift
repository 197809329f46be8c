import Crypto
import Foundation
import Logging
import Messages
import Negotiation
import RPC
import ServiceKit
import TestServiceKit
import Testing

@Suite("Settings and the process")
struct SettingsTests {
    /// A data directory and a Vault receipt key file, as the local stack lays them out.
    struct Layout {
        let environment: TestEnvironment
        let receiptKey = Curve25519.Signing.PrivateKey()
        var data: String { environment.directory + "/negotiation" }
        var receiptKeyFile: String { environment.directory + "/vault-receipt.pub" }

        init() throws {
            environment = try TestEnvironment(name: "negotiation-settings")
            try receiptKey.publicKey.rawRepresentation.base64EncodedString().write(toFile: receiptKeyFile, atomically: true, encoding: .utf8)
        }

        func variables(_ extra: [String: String] = [:]) -> [String: String] {
            var variables = [
                "DATA_DIR": data, "RECORDS_URL": "http://127.0.0.1:1", "EVALUATION_URL": "http://127.0.0.1:1",
                "NEGOTIATION_VAULT_RECEIPT_KEY_FILE": receiptKeyFile,
            ]
            for (key, value) in extra { variables[key] = value }
            return variables
        }

        func load(_ extra: [String: String] = [:]) async throws -> NegotiationSettings {
            let settings = try await ServiceSettings.load(service: "negotiation", defaultPort: NegotiationApp.defaultPort, environment: variables(extra))
            return try NegotiationSettings.load(settings, logger: Logger(label: "test.settings"))
        }
    }

    @Test("defaults; local mode makes a grant key and writes the public key for the Vault")
    func defaults() async throws {
        let layout = try Layout()
        defer { layout.environment.remove() }
        let settings = try await layout.load()
        #expect(settings.grantSeconds == 300 && settings.standstillDays == 10 && settings.standstillCheckInterval == .seconds(1))
        #expect(settings.grantIssuer.name == "negotiation" && settings.receiptKey.keyID == VaultReceiptKey(publicKey: layout.receiptKey.publicKey).keyID)
        #expect(try String(contentsOfFile: layout.data + "/negotiation.pem", encoding: .utf8) == settings.grantIssuer.publicKeyPEM)
        #expect(try await layout.load().grantIssuer.seedBase64 == settings.grantIssuer.seedBase64, "the key made on first start is kept")
        let tuned = try await layout.load(["NEGOTIATION_GRANT_SECONDS": "60", "NEGOTIATION_STANDSTILL_DAYS": "15", "NEGOTIATION_STANDSTILL_CHECK_SECONDS": "5"])
        #expect(tuned.grantSeconds == 60 && tuned.standstillDays == 15 && tuned.standstillCheckInterval == .seconds(5))
    }

    @Test("a missing or malformed value stops the start-up", arguments: [
        (["NEGOTIATION_VAULT_RECEIPT_KEY_FILE": ""], "negotiation.vaultReceiptKeyFile"),
        (["NEGOTIATION_VAULT_RECEIPT_KEY_FILE": "/nonexistent/vault-receipt.pub"], "negotiation.vaultReceiptKeyFile"),
        (["EVALUATION_URL": ""], "evaluation.url"),
        (["RECORDS_URL": ""], "records.url"),
        (["NEGOTIATION_GRANT_SECONDS": "901"], "negotiation.grantSeconds"),
        (["NEGOTIATION_STANDSTILL_DAYS": "0"], "negotiation.standstillDays"),
        (["NEGOTIATION_STANDSTILL_DAYS": "61"], "negotiation.standstillDays"),
        (["NEGOTIATION_STANDSTILL_CHECK_SECONDS": "0"], "negotiation.standstillCheckSeconds"),
        (["ENVIRONMENT": "production"], "negotiation.grantKeyFile"),
    ])
    func refusals(_ extra: [String: String], _ key: String) async throws {
        let layout = try Layout()
        defer { layout.environment.remove() }
        do {
            _ = try await layout.load(extra)
            Issue.record("accepted \(extra)")
        } catch let error as SettingsError {
            #expect(error.description.contains(key), "\(error)")
        }
    }

    @Test("tender-negotiation starts from its settings and answers over HTTP/2: an unknown challenge, a clarification with a ref")
    func process() async throws {
        let layout = try Layout()
        defer { layout.environment.remove() }
        let environment = try layout.environment.serviceEnvironment(name: "negotiation", extra: layout.variables())
        let service = try await ServiceProcess.start("tender-negotiation", environment: environment)
        do {
            #expect(FileManager.default.fileExists(atPath: layout.data + "/negotiation.pem"))
            let transport = try HTTP2ClientTransport(url: service.url)
            let officer = RPCClient(transport: transport, tokenProvider: StaticTokenProvider(try await layout.environment.token(.officer, subject: "kari.officer")))
            let unknown = await refusal { _ = try await officer.call(NegotiationAPI.listDialogues, ListDialoguesRequest(challenge: Fixtures.challenge)) }
            #expect(unknown?.code == .notFound)
            let extra = await refusal {
                _ = try await officer.call(NegotiationAPI.sendClarification.descriptor, body: try JSONWire.encode(
                    EqualTreatmentTests.ClarificationWithExtras(challenge: Fixtures.challenge, text: "See the ref.", refs: [.random()])))
            }
            #expect(extra?.code == .invalidArgument && extra?.fieldPath == "refs", "\(extra.map(String.init(describing:)) ?? "success")")
            await transport.close()
        } catch {
            await service.kill()
            throw error
        }
        #expect(await service.terminate() == 0)
    }

    @Test("without the Vault's receipt key the process does not start, and says why")
    func processRefusesWithoutReceiptKey() async throws {
        let layout = try Layout()
        defer { layout.environment.remove() }
        var variables = layout.variables()
        variables["NEGOTIATION_VAULT_RECEIPT_KEY_FILE"] = layout.environment.directory + "/missing.pub"
        let environment = try layout.environment.serviceEnvironment(name: "negotiation", extra: variables)
        do {
            let service = try await ServiceProcess.start("tender-negotiation", environment: environment)
            await service.kill()
            Issue.record("started without a receipt key")
        } catch let error as ServiceProcessError {
            #expect(error.description.contains("negotiation.vaultReceiptKeyFile"), "\(error)")
        }
    }
}
