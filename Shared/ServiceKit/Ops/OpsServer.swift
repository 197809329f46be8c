import Hummingbird
import Logging
import NIOCore
import Prometheus
import Synchronization

/// Whether the service may receive traffic: false until migrations ran and the checks pass.
public final class Readiness: Sendable {
    private let state = Mutex<(ready: Bool, checks: [@Sendable () async -> Bool])>((false, []))

    public init() {}

    public func markReady() { state.withLock { $0.ready = true } }
    public func markNotReady() { state.withLock { $0.ready = false } }

    /// Adds a dependency check run on every `/readyz` (e.g. a database ping).
    public func addCheck(_ check: @escaping @Sendable () async -> Bool) { state.withLock { $0.checks.append(check) } }

    public func isReady() async -> Bool {
        let (ready, checks) = state.withLock { ($0.ready, $0.checks) }
        guard ready else { return false }
        for check in checks where !(await check()) { return false }
        return true
    }
}

/// The ops listener: plain HTTP/1.1 so kubelets and scrapers need no HTTP/2.
/// `/healthz` 200 while the process serves; `/readyz` 200 only when ``Readiness`` says so,
/// else 503; `/metrics` the Prometheus text exposition.
enum OpsServer {
    static func application(host: String, port: Int, readiness: Readiness, registry: PrometheusCollectorRegistry, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let ready = await readiness.isReady()
            return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready\n")))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
