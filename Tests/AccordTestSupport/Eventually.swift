import Foundation

/// Whether `condition` holds within `timeout`, looked at every 20 ms: for a test that must
/// wait on something another thread does (a server noticing a close), so that it waits for
/// that very condition, never a guessed delay, and fails rather than hangs when it never holds.
public func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Whether `condition` returns true within `timeout`, tried every 100 ms; a throw counts as not
/// yet. For conditions that ask another process (curl, psql), whose answers take time of their own.
public func eventuallyHolds(within timeout: Duration, _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    // Once more past the deadline: a sleep on a loaded machine can overshoot it by seconds.
    return (try? await condition()) == true
}
