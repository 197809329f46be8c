import ArgumentParser
import Crypto
import Foundation
import Messages
import NIOCore
import NIOFoundationCompat
import RPC
import Records

/// `tenderctl record`: the auditor's and the officer's view of the procurement record.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and verify the procurement record.",
        subcommands: [Key.self, CheckpointCommand.self, Verify.self, ProtocolCommand.self, ExportOCDS.self])

    struct Connection: ParsableArguments {
        @Option(help: "Records service URL, or the URLs of its replicas, comma-separated.") var url = "http://127.0.0.1:\(RecordsApp.defaultPort)"
        @Option(help: "Bearer token (GetProtocol needs officer or auditor).") var token: String?

        func client() throws -> RPCClient {
            RPCClient(transport: try BalancedClientTransport.transport(urls: url, connections: 1), tokenProvider: token.map(StaticTokenProvider.init))
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the record's verifier key (C2SP form: name+keyid+base64).",
            discussion: """
                From a local Records data directory (records.vkey, written at start-up), or derived \
                from the signing key a deployment mounts (records.signingKeyFile) and its origin \
                (records.origin): --signing-key FILE --origin NAME. The verifier key is public; \
                auditors get it from the municipality, not from the service they audit.
                """)
        @Option(name: .customLong("data-dir"), help: "The Records data directory (local mode writes records.vkey there).") var dataDirectory = "./data"
        @Option(name: .customLong("signing-key"), help: "A Records signing key file (base64 Ed25519 seed).") var signingKey: String?
        @Option(help: "The record's origin (records.origin), with --signing-key.") var origin: String?

        func run() async throws {
            if let signingKey {
                guard let origin else { throw ValidationError("--signing-key needs --origin (records.origin)") }
                let text = try String(contentsOfFile: signingKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let seed = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
                    throw ValidationError("\(signingKey) does not hold a base64 Ed25519 seed")
                }
                print(CheckpointSigner(origin: origin, key: key).verifierKey.description)
                return
            }
            let file = dataDirectory + "/records.vkey"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8), let key = SignedNote.VerifierKey(text) else {
                throw ValidationError("no valid verifier key at \(file); start tender-records with DATA_DIR=\(dataDirectory) once")
            }
            print(key.description)
        }
    }

    struct CheckpointCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the latest signed checkpoint.")
        @OptionGroup var connection: Connection

        func run() async throws {
            let checkpoint = try await connection.client().call(RecordsAPI.getCheckpoint, GetCheckpointRequest())
            print(checkpoint.note, terminator: "")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the record with only its public key.",
            discussion: """
                Checks the checkpoint's signature; that the log is an extension of the checkpoint \
                trusted last time (kept in --state); and the inclusion of each --entry (or of every \
                entry with --all). Prints what was verified; on any failure prints exactly what does \
                not hold and exits 1. The state file is updated only after a fully successful run.
                """)
        @OptionGroup var connection: Connection
        @Option(help: "Verifier key (name+keyid+base64) or a file holding it.") var key: String
        @Option(help: "State file: the last checkpoint this auditor trusted.") var state = "./record-audit.json"
        @Option(name: .customLong("entry"), help: "An entry index to prove included (repeatable).") var entries: [Int64] = []
        @Flag(help: "Prove every entry included.") var all = false

        func run() async throws {
            let keyText = FileManager.default.fileExists(atPath: key) ? try String(contentsOfFile: key, encoding: .utf8) : key
            guard let verifierKey = SignedNote.VerifierKey(keyText) else { throw ValidationError("not a verifier key: \(keyText.prefix(80))") }
            let trusted = FileManager.default.fileExists(atPath: state)
                ? try JSONDecoder().decode(RecordAuditor.TrustedState.self, from: Data(contentsOf: URL(fileURLWithPath: state)))
                : nil
            let auditor = RecordAuditor(client: try connection.client(), key: verifierKey)
            do {
                var indices = entries
                if all {
                    let size = try await connection.client().call(RecordsAPI.getCheckpoint, GetCheckpointRequest()).size
                    indices = Array(0..<size)
                }
                let report = try await auditor.verify(trusted: trusted, entries: indices)
                print("checkpoint: signed by \(verifierKey.name), size \(report.checkpoint.size), root \(Data(report.checkpoint.root).base64EncodedString())")
                if let previous = report.previous {
                    print("consistent with the trusted checkpoint of size \(previous.size): the log was only appended to")
                } else {
                    print("no trusted checkpoint before: trusting this one from now on")
                }
                if !report.entriesVerified.isEmpty { print("\(report.entriesVerified.count) entries proven included") }
                try JSONCoding.encoder().encode(report.newState).write(to: URL(fileURLWithPath: state))
                print("OK")
            } catch let failure as VerificationFailure {
                FileHandle.standardError.write(Data("VERIFICATION FAILED: \(failure.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct ProtocolCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "protocol", abstract: "Print a challenge's procurement protocol (FOA § 7-1).")
        @OptionGroup var connection: Connection
        @Argument(help: "Challenge id.") var challenge: String
        @Flag(help: "Print the structured JSON instead of Markdown.") var json = false

        func run() async throws {
            let body = try await callRaw(connection, method: "GetProtocol", body: ["challenge": challenge])
            if json {
                print(String(buffer: body))
            } else {
                let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                print(object?["markdown"] as? String ?? String(buffer: body))
            }
        }
    }

    struct ExportOCDS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export-ocds", abstract: "Print a challenge's OCDS 1.1 record package.")
        @OptionGroup var connection: Connection
        @Argument(help: "Challenge id.") var challenge: String

        func run() async throws {
            print(String(buffer: try await callRaw(connection, method: "ExportOCDS", body: ["challenge": challenge])))
        }
    }
}

/// Calls a Records method by name with a JSON body; prints the error and exits 1 on failure.
func callRaw(_ connection: Record.Connection, method: String, body: [String: String]) async throws -> ByteBuffer {
    let descriptor = MethodDescriptor(service: RecordsAPI.service, name: method, kind: .idempotent, access: .everyone)
    do {
        return try await connection.client().call(descriptor, body: ByteBuffer(data: try CanonicalJSON.encode(body)))
    } catch let error as RPCError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    }
}
