import Metrics

/// Push delivery's metrics per recipient (docs/operations.md, "Metrics"): attempts and
/// failures as counters; the backlog, the deliveries past the horizon and the age of the
/// oldest waiting delivery as gauges, set by each recipient's worker.
struct PushMetrics: Sendable {
    let attempts: Counter
    let failures: Counter
    let backlog: Gauge
    let undeliverable: Gauge
    let oldestAge: Gauge

    init(recipient: String, factory: any MetricsFactory) {
        let dimensions = [("recipient", recipient)]
        attempts = Counter(label: "accord_push_attempts_total", dimensions: dimensions, factory: factory)
        failures = Counter(label: "accord_push_failures_total", dimensions: dimensions, factory: factory)
        backlog = Gauge(label: "accord_push_backlog", dimensions: dimensions, factory: factory)
        undeliverable = Gauge(label: "accord_push_undeliverable", dimensions: dimensions, factory: factory)
        oldestAge = Gauge(label: "accord_push_oldest_age_seconds", dimensions: dimensions, factory: factory)
    }
}
