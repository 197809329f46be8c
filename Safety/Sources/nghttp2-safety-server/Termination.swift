import Dispatch
import Foundation
import Synchronization

/// Waiting for SIGTERM or SIGINT without a ServiceLifecycle dependency.
enum Termination {
    /// Returns when the process receives SIGTERM or SIGINT (the first one; later ones are
    /// ignored, so a second Ctrl-C does not kill a shutdown in progress).
    static func signalled() async {
        let resumed = Flag()
        let queue = DispatchQueue(label: "tender.nghttp2-safety.signals")
        var sources: [any DispatchSourceSignal] = []
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    if !resumed.value.exchange(true, ordering: .relaxed) { continuation.resume() }
                }
                source.resume()
                sources.append(source)
            }
        }
        for source in sources { source.cancel() }
    }
}

/// An atomic flag that escaping closures can share (an `Atomic` itself cannot be captured).
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
