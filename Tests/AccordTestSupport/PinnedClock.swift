public import Foundation
import Synchronization

/// A clock that stands still until a test moves it, so that what depends on the day or on
/// retention is decided by the test and not by when it runs.
public final class PinnedClock: Sendable {
    private let instant: Mutex<Date>

    public init(_ start: Date) { instant = Mutex(start) }

    public func now() -> Date { instant.withLock { $0 } }

    public func advance(_ seconds: TimeInterval) { instant.withLock { $0 += seconds } }

    public func set(_ date: Date) { instant.withLock { $0 = date } }
}
