public import NIOCore

/// A Swift task executor that runs jobs on one SwiftNIO event loop.
///
/// An engine that reads a request on an event loop starts the call's task with this
/// executor as its preference (`Task(executorPreference:)`), so the dispatcher, the handler's
/// non-isolated code and the JSON work run on the thread that read the request and will
/// write the answer, instead of hopping to the global pool and back: on a loaded 2-core
/// machine those two thread switches per call cost more than the call itself. Actor-isolated
/// code (a service's store actor) still runs on its actor; I/O (SQLite's thread pool,
/// PostgreSQL's connection) still completes where it completes. Handlers must not block:
/// a blocking handler would now hold up every connection on its loop.
///
/// The dispatcher also schedules the call's deadline timer on ``eventLoop``, which from the
/// loop's own thread needs no wake-up.
public final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: immutable; `EventLoop` is Sendable.
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
