import AccordGateway

/// How `limits.max_connections` is split between the two TLS listeners: the console's share
/// (`limits.console_connections`) is reserved for it and is its most; the agency API has the
/// rest. A flood that fills one listener's share leaves the other's untouched.
struct ListenerCaps: Equatable {
    let agencies: Int
    let console: Int

    init(limits: GatewayConfiguration.Limits, console: Bool) {
        guard console else {
            agencies = max(limits.maxConnections, 1)
            self.console = 0
            return
        }
        // A share that would leave the agency API nothing is cut to leave it at least one slot.
        let share = min(max(limits.consoleConnections, 1), max(limits.maxConnections - 1, 1))
        self.console = share
        agencies = max(limits.maxConnections - share, 1)
    }
}
