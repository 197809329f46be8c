import ArgumentParser
import Foundation
import Messages
import NIOCore
import RPC

/// `tenderctl call`: one RPC call, JSON in and out.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make one RPC call and print the JSON response.",
        discussion: "Exits 0 on success; on an error prints the error JSON to stderr and exits 1.")

    @Option(help: "Server URL: http://host:port (h2c) or https://host:port (TLS).") var url: String
    @Argument(help: "Service, e.g. tender.records.v1.RecordsService.") var service: String
    @Argument(help: "Method, e.g. GetCheckpoint.") var method: String
    @Option(help: "Request body as JSON.") var json: String?
    @Option(name: .customLong("json-file"), help: "Read the request body from a file.") var jsonFile: String?
    @Option(help: "Bearer token.") var token: String?
    @Option(name: .customLong("idempotency-key"), help: "Idempotency key (makes the call a mutation safe to retry).") var idempotencyKey: String?
    @Option(name: .customLong("timeout-ms"), help: "Deadline in milliseconds.") var timeoutMs = 10_000
    @Option(name: .customLong("ca"), help: "PEM file of the CA to trust for https.") var caFile: String?
    @Option(name: .customLong("cert"), help: "Client certificate (PEM) for mutual TLS.") var certificate: String?
    @Option(name: .customLong("key"), help: "Client private key (PEM) for mutual TLS.") var key: String?

    func run() async throws {
        let body: String
        if let jsonFile {
            body = try String(contentsOfFile: jsonFile, encoding: .utf8)
        } else {
            body = json ?? "{}"
        }
        let tls = ClientTLS(trustRootsPath: caFile, certificateChainPath: certificate, privateKeyPath: key)
        let transport = try HTTP2ClientTransport(url: url, tls: tls, connections: 1)
        // The tool does not know the method's kind: it treats every call as a mutation, retried only with a key.
        let descriptor = MethodDescriptor(service: service, name: method, kind: .mutating, access: .everyone)
        let client = RPCClient(transport: transport, tokenProvider: token.map(StaticTokenProvider.init), retryPolicy: idempotencyKey == nil ? .none : .default)
        do {
            let response = try await client.call(descriptor, body: ByteBuffer(string: body), options: CallOptions(timeout: .milliseconds(timeoutMs), idempotencyKey: idempotencyKey))
            print(String(buffer: response))
            await transport.close()
        } catch {
            await transport.close()
            FileHandle.standardError.write(Data(JSONWire.errorBody(error).readableBytesView))
            FileHandle.standardError.write(Data("\n".utf8))
            throw ExitCode(1)
        }
    }
}
