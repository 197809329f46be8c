import Foundation

/// How long `body` took, with its result.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, start.duration(to: .now))
}

/// Asks `probe` again and again until `condition` holds or `timeout` passes; returns the
/// last answer, so the caller's `#expect` shows what was seen when it gave up.
func eventually<T>(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
    _ probe: () async throws -> T, until condition: (T) -> Bool
) async throws -> T {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    var value = try await probe()
    while !condition(value), ContinuousClock.now < deadline {
        try await Task.sleep(for: interval)
        value = try await probe()
    }
    return value
}

/// A unique name for keys, so tests sharing nothing also collide on nothing.
func uniqueKey(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
