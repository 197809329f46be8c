/// Drives `call` from `concurrency` tasks, each issuing its next call as soon as the last
/// one returned (a closed loop, as h2load does with `-m`), first for `warmUp`, then for
/// `duration`, which is measured.
///
/// `call` returns whether the call succeeded.
public func closedLoop(
    concurrency: Int, warmUp: Duration, duration: Duration, _ call: @escaping @Sendable () async -> Bool
) async -> LoadResult {
    let clock = ContinuousClock()
    let measureFrom = clock.now.advanced(by: warmUp)
    let end = measureFrom.advanced(by: duration)
    let perWorker = await withTaskGroup(of: (latencies: [Double], errors: Int).self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var latencies: [Double] = []
                latencies.reserveCapacity(1 << 16)
                var errors = 0
                while clock.now < measureFrom { _ = await call() }
                while true {
                    let started = clock.now
                    guard started < end else { break }
                    let ok = await call()
                    if ok {
                        latencies.append(started.duration(to: clock.now).microseconds)
                    } else {
                        errors += 1
                    }
                }
                return (latencies, errors)
            }
        }
        var all: [(latencies: [Double], errors: Int)] = []
        for await result in group { all.append(result) }
        return all
    }
    let latencies = perWorker.flatMap(\.latencies)
    return LoadResult(
        calls: latencies.count, errors: perWorker.reduce(0) { $0 + $1.errors },
        seconds: measureFrom.duration(to: end).microseconds / 1_000_000, latencies: latencies)
}
