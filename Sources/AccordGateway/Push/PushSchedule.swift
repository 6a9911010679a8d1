public import Foundation

/// When a recipient's push worker may next try its endpoint: exponential backoff with jitter,
/// and a circuit breaker that, after `breakerThreshold` failures in a row, stops trying more
/// often than once per `breakerInterval` until a try succeeds (docs/api.md, "Push delivery").
///
/// A pure value: the worker hands it the time and the jitter, so tests step through it
/// without sleeping.
public struct PushSchedule: Sendable, Equatable {
    /// Whether the endpoint is being tried normally or only probed now and then.
    public enum Breaker: Sendable, Equatable {
        case closed
        /// Open since the failure that tripped it: each attempt is a single probe.
        case open
    }

    public var baseDelay: TimeInterval
    public var maximumDelay: TimeInterval
    public var breakerThreshold: Int
    public var breakerInterval: TimeInterval
    public private(set) var consecutiveFailures = 0
    /// No attempt before this instant; nil: try now.
    public private(set) var nextAttempt: Date?

    public init(baseDelay: TimeInterval = 0.5, maximumDelay: TimeInterval = 300, breakerThreshold: Int = 8, breakerInterval: TimeInterval = 120) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.breakerThreshold = breakerThreshold
        self.breakerInterval = breakerInterval
    }

    public var breaker: Breaker { consecutiveFailures >= breakerThreshold ? .open : .closed }

    /// Whether an attempt may be made at `now`.
    public func allows(at now: Date) -> Bool {
        nextAttempt.map { now >= $0 } ?? true
    }

    /// How long after `now` the next attempt may be made, or zero.
    public func wait(at now: Date) -> TimeInterval {
        max(0, nextAttempt.map { $0.timeIntervalSince(now) } ?? 0)
    }

    /// An attempt failed at `now`. `jitter` in [0, 1) spreads retries so that recipients coming
    /// back together are not all retried in the same instant: the delay is drawn from the upper
    /// half of the backoff step ("equal jitter"), so it still grows with each failure.
    public mutating func failed(at now: Date, jitter: Double) {
        consecutiveFailures += 1
        let step: TimeInterval
        if breaker == .open {
            step = breakerInterval
        } else {
            let exponent = Double(min(consecutiveFailures - 1, 30))
            step = min(maximumDelay, baseDelay * pow(2, exponent))
        }
        let clamped = min(max(jitter, 0), 1)
        nextAttempt = now.addingTimeInterval(step / 2 + step / 2 * clamped)
    }

    /// Carries on from failures recorded before a restart, so that a gateway restarted while an
    /// endpoint is down does not begin again at the shortest delay nor with its breaker closed.
    public mutating func resume(afterFailures failures: Int) {
        consecutiveFailures = max(consecutiveFailures, failures)
    }

    /// An attempt succeeded: the endpoint is healthy again.
    public mutating func succeeded() {
        consecutiveFailures = 0
        nextAttempt = nil
    }
}
