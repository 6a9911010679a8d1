import AccordCore
import AccordGateway
import AccordPolicy
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Pushes deliveries to every agency whose registry entry has an `endpoint:`, one worker per
/// recipient (docs/api.md, "Push delivery"). The endpoints are those of the registry in force
/// at start, their TLS built again at each trust reload; pull keeps working for every agency
/// beside it.
struct PushService: Service {
    let workers: [PushWorker]

    /// The endpoints pushed to, for the trust reloader.
    var endpoints: [PushEndpoint] { workers.map(\.endpoint) }

    /// `partners`: the partner gateway serving each agency behind one; its deliveries are
    /// forwarded to that gateway (docs/federation.md). `now`: the gateway's clock, which the
    /// push records are dated by, so that a retry's time and the gateway's agree.
    init(gateway: Gateway, agencies: some Collection<Agency>, partners: [AgencyID: PartnerGateway] = [:], certificatesDirectory: String,
         allowTLS12: Bool, horizon: TimeInterval, pollInterval: Duration, factory: any MetricsFactory, logger: Logger,
         now: @escaping @Sendable () -> Date = { Date() }, acceptsLapsedCRLs: Bool = false) {
        var workers: [PushWorker] = []
        for agency in agencies.sorted(by: { $0.id < $1.id }) where agency.endpoint != nil || partners[agency.id] != nil {
            var forwarding: PushWorker.ForwardingPartner?
            if let partner = partners[agency.id] {
                // Without the pinned key no receipt could be verified, so nothing would ever be acknowledged.
                guard let key = partner.pinnedBindingKey(certificatesDirectory: certificatesDirectory) else {
                    logger.error("forwarding is off for an agency: the partner's binding_key cannot be read; its deliveries wait in the inbox",
                                 metadata: ["recipient": "\(agency.id)", "partner": "\(partner.id)", "binding_key": "\(partner.bindingKey)"])
                    continue
                }
                forwarding = PushWorker.ForwardingPartner(id: partner.id, bindingKey: key)
            }
            do {
                let endpoint = try partners[agency.id].map { partner throws(PushEndpoint.Problem) in
                    try PushEndpoint(forwardingTo: agency.id, via: partner, certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12)
                } ?? PushEndpoint(agency: agency, certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12,
                                  acceptsLapsedCRLs: acceptsLapsedCRLs)
                workers.append(PushWorker(gateway: gateway, endpoint: endpoint, partner: forwarding, horizon: horizon, pollInterval: pollInterval,
                                          metrics: PushMetrics(recipient: agency.id.rawValue, factory: factory), logger: logger, now: now))
                logger.notice("pushing deliveries", metadata: ["recipient": "\(agency.id)", "via": "\(partners[agency.id]?.id ?? "direct")", "host": "\(endpoint.host)", "port": "\(endpoint.port)"])
            } catch {
                logger.error("push is off for an agency; its deliveries wait in the inbox for pulling", metadata: ["problem": "\(error)"])
            }
        }
        self.workers = workers
    }

    func run() async throws {
        let workers = self.workers
        // A service that returns ends the whole group: with nothing to push, wait for shutdown.
        guard !workers.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
            }
        }
    }
}
