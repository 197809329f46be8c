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

    @Argument(help: "Service: records, vault, intake, or a full name such as tender.records.v1.RecordsService.") var service: String
    @Argument(help: "Method, e.g. GetCheckpoint.") var method: String
    @Option(help: "Server URL: http://host:port (h2c) or https://host:port (TLS). Default: the service's URL in DIR/endpoints.json of a running local stack.") var url: String?
    @Option(name: .customLong("data-dir"), help: "The local stack's directory (for endpoints.json).") var dataDirectory = "./data"
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
        let spec = ServiceSpec.named(service)
        let target: String
        if let url {
            target = url
        } else {
            guard let spec else { throw ValidationError("unknown service '\(service)'; give --url, or one of \(ServiceSpec.all.map(\.name).joined(separator: ", "))") }
            guard let found = try StackLayout(directory: dataDirectory).readEndpoints()[spec.name] else {
                throw ValidationError("\(spec.name) is not in \(dataDirectory)/endpoints.json")
            }
            // With replicas endpoints.json lists them all; one call needs one.
            target = found.split(separator: ",").first.map(String.init) ?? found
        }
        let tls = ClientTLS(trustRootsPath: caFile, certificateChainPath: certificate, privateKeyPath: key)
        let transport = try HTTP2ClientTransport(url: target, tls: tls, connections: 1)
        // The tool does not know the method's kind: it treats every call as a mutation, retried only with a key.
        let descriptor = MethodDescriptor(service: spec?.service ?? service, name: method, kind: .mutating, access: .everyone)
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
