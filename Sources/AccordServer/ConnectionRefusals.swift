import Logging
import Metrics
import Synchronization

/// Records connections refused at the gateway-wide cap: every one in a counter, and in the log
/// at most once an interval, with how many were refused since the last line, so that a flood
/// of connections does not become a flood of log lines.
final class ConnectionRefusals: Sendable {
    /// When to write a line: a pure value over an injected time.
    struct Throttle {
        let interval: Duration
        private var lastReport: ContinuousClock.Instant?
        private var unreported = 0

        init(interval: Duration) {
            self.interval = interval
        }

        /// Counts one refusal at `now`; the refusals to report now (this one included), or nil
        /// when a line was written less than `interval` ago.
        mutating func refused(at now: ContinuousClock.Instant) -> Int? {
            unreported += 1
            if let lastReport, now < lastReport + interval { return nil }
            lastReport = now
            defer { unreported = 0 }
            return unreported
        }
    }

    private let counter: Counter
    private let logger: Logger
    private let limit: Int
    private let throttle: Mutex<Throttle>

    init(counter: Counter, logger: Logger, limit: Int, interval: Duration = .seconds(1)) {
        self.counter = counter
        self.logger = logger
        self.limit = limit
        throttle = Mutex(Throttle(interval: interval))
    }

    func record() {
        counter.increment()
        let now = ContinuousClock.now
        guard let count = throttle.withLock({ $0.refused(at: now) }) else { return }
        logger.warning("connections refused at accept: the gateway-wide connection cap is reached", metadata: [
            "refused": "\(count)", "max_connections": "\(limit)",
        ])
    }
}
