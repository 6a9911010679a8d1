import AccordAudit
import AccordGateway
import AccordStore
import AccordTLS
import Hummingbird
import Prometheus
import ServiceLifecycle

extension GatewayServer {
    /// The log's tiles and proofs over the store, one proof index for the gateway's lifetime.
    func logRoutes() throws -> LogRoutes {
        let witnesses = try configuration.log.witnesses.map { try CosignatureVerifier(verifierKey: $0.key) }
        return LogRoutes(store: store, index: ProofIndex(store: store),
                         publisher: CheckpointPublisher(store: store, witnesses: witnesses, required: configuration.log.cosignaturesRequired))
    }

    /// `/v1/log/…` and `/v1/proofs/…` on the agency API, behind the same guard and rate as the rest of `/v1`.
    func registerLog(_ routes: LogRoutes, on router: Router<GatewayRequestContext>, rateLimiter: RateLimiter) {
        let api = router.group("v1").add(middleware: AgencyGuard(rateLimiter: rateLimiter))
        let readers = Set(configuration.log.entryReaders)
        routes.register(on: api) { context in context.peer?.agencyID.map(readers.contains) ?? false }
        ProofRoutes(log: routes).register(on: api) { context in
            guard let agency = context.peer?.agencyID else { throw HTTPError(.forbidden) }
            return agency
        }
        for path in ["log/checkpoint", "proofs/inclusion", "proofs/consistency"] {
            MethodNotAllowed.register(RouterPath(path), allowing: [.get], on: api)
        }
    }

    /// Sends checkpoints to the configured witnesses; nil without any.
    func witnessingService(_ routes: LogRoutes) throws -> (any Service)? {
        guard !configuration.log.witnesses.isEmpty else { return nil }
        return try WitnessingService(store: store, index: routes.index, witnesses: configuration.log.witnesses,
                                     interval: .milliseconds(configuration.log.witnessIntervalMilliseconds),
                                     backoffCap: .seconds(configuration.log.witnessBackoffMaxSeconds),
                                     factory: PrometheusMetricsFactory(registry: registry), logger: logger)
    }
}
