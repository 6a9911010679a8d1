import ArgumentParser
import Foundation

/// The clock `accord demo --at` runs on: it reads the time given when the demo starts and
/// moves on with the wall clock from there, so that a demo run on any day sees the agreements
/// as they stood on that one (docs/testing.md).
struct DemoClock: ExpressibleByArgument, Sendable {
    let start: Date

    init?(argument: String) {
        let instant = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let start = instant.date(from: argument) ?? (argument.count == 10 ? day.date(from: argument) : nil) else { return nil }
        self.start = start
    }

    /// The clock, with its offset from the wall clock fixed now.
    var now: @Sendable () -> Date {
        let offset = start.timeIntervalSinceNow
        return { Date().addingTimeInterval(offset) }
    }
}
