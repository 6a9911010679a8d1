import Logging
import Metrics
import Synchronization

/// Records connections refused at accept (at the connection cap, or at a source's limit of
/// unauthenticated connections): every one in a counter, and in the log at most once an
/// interval, with how many were refused since the last line, so that a flood of connections
/// does not become a flood of log lines.
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
    private let message: Logger.Message
    private let metadata: Logger.Metadata
    private let throttle: Mutex<Throttle>

    /// `message` and `metadata` (the limit that refused) go on each line, with `refused=`.
    init(counter: Counter, logger: Logger, message: Logger.Message, metadata: Logger.Metadata, interval: Duration = .seconds(1)) {
        self.counter = counter
        self.logger = logger
        self.message = message
        self.metadata = metadata
        throttle = Mutex(Throttle(interval: interval))
    }

    func record() {
        counter.increment()
        let now = ContinuousClock.now
        guard let count = throttle.withLock({ $0.refused(at: now) }) else { return }
        logger.warning(message, metadata: metadata.merging(["refused": "\(count)"]) { $1 })
    }
}
