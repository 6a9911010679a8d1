/// How long the gateway waits before asking a witness it could not reach again (docs/audit.md,
/// "Witnesses"): doubling from `base` with each failure in a row up to `cap`, then a random
/// part of up to half of that taken off, so that gateways that lost a witness together do not
/// all come back to it in step.
struct WitnessBackoff: Sendable, Equatable {
    let base: Duration
    let cap: Duration

    /// The wait after `failures` failures in a row (at least 1); `jitter` is uniform in 0..<1.
    func delay(afterFailures failures: Int, jitter: Double) -> Duration {
        var full = base
        for _ in 1 ..< max(1, failures) where full < cap { full *= 2 }
        full = min(full, cap)
        return full * (1 - min(max(jitter, 0), 1) / 2)
    }
}
