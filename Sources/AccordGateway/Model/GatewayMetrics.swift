public import Metrics
import Synchronization

/// The gateway's counters and timers, created through swift-metrics from an injected factory
/// (the server passes its Prometheus registry's factory; tests can pass a no-op).
public final class GatewayMetrics: Sendable {
    public let accepted: Counter
    public let delivered: Counter
    public let acknowledged: Counter
    public let submitDuration: Timer
    /// Connections closed at accept because their listener's share of the cap
    /// (`limits.max_connections`, of which `limits.console_connections` are the console's) was full.
    public let connectionsRefused: Counter
    /// Connections closed at accept because their source address already held
    /// `limits.max_unauthenticated_per_source` connections that had not authenticated.
    public let connectionsRefusedPerSource: Counter
    /// TLS connections open now over both listeners, and the cap they count against; set when
    /// `/metrics` is read, so a scrape shows how close the gateway is to refusing connections.
    public let connectionsOpen: Gauge
    public let connectionsLimit: Gauge
    /// How long the audit log has gone without a checkpoint covering all of it (zero when one
    /// does), and the deliveries held for review; set from the database when `/metrics` is read.
    public let checkpointAge: Gauge
    public let deliveriesHeld: Gauge
    private let factory: any MetricsFactory
    private let deniedByCode = Mutex<[String: Counter]>([:])

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        accepted = Counter(label: "accord_messages_accepted_total", factory: factory)
        delivered = Counter(label: "accord_deliveries_delivered_total", factory: factory)
        acknowledged = Counter(label: "accord_deliveries_acknowledged_total", factory: factory)
        connectionsRefused = Counter(label: "accord_connections_refused_total", factory: factory)
        connectionsRefusedPerSource = Counter(label: "accord_connections_refused_per_source_total", factory: factory)
        connectionsOpen = Gauge(label: "accord_connections_open", factory: factory)
        connectionsLimit = Gauge(label: "accord_connections_limit", factory: factory)
        checkpointAge = Gauge(label: "accord_checkpoint_age_seconds", factory: factory)
        deliveriesHeld = Gauge(label: "accord_deliveries_held", factory: factory)
        submitDuration = Timer(label: "accord_submit_duration_seconds", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
    }

    func denied(_ code: String) {
        let counter = deniedByCode.withLock { counters in
            if let existing = counters[code] { return existing }
            let counter = Counter(label: "accord_messages_refused_total", dimensions: [("code", code)], factory: factory)
            counters[code] = counter
            return counter
        }
        counter.increment()
    }
}
