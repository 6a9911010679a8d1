import AccordCore
import AccordGateway
import AccordPolicy
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Pushes deliveries to every agency whose registry entry has an `endpoint:`, and forwards to
/// the partner gateway serving an agency behind one, one worker per recipient (docs/api.md,
/// "Push delivery"). The workers follow the agreement set in force: an activation that adds,
/// changes or removes an endpoint starts, replaces or stops that recipient's worker within a
/// second, on every node, without a restart. Their TLS is built again at each trust reload;
/// pull keeps working for every agency beside them.
struct PushService: Service {
    /// What every worker is built with.
    struct Settings: Sendable {
        let certificatesDirectory: String
        let allowTLS12: Bool
        let acceptsLapsedCRLs: Bool
        let horizon: TimeInterval
        let pollInterval: Duration
        let factory: any MetricsFactory
        let logger: Logger
        /// The gateway's clock, which the push records are dated by, so that a retry's time and the gateway's agree.
        let now: @Sendable () -> Date
    }

    let gateway: Gateway
    let trust: TrustReloader
    let settings: Settings
    /// How often the set in force is looked at for a change.
    var interval: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var running: [AgencyID: RunningWorker] = [:]
            var generation: Int?
            while !Task.isCancelled {
                let snapshot = gateway.policy.current
                if snapshot.generation != generation {
                    generation = snapshot.generation
                    running = await follow(PushTarget.all(in: snapshot.policy.set), running: running)
                }
                try? await Task.sleep(for: interval)
            }
            // Stopped after the store (see GatewayServer): a push in flight still records its acknowledgement.
            for worker in running.values { worker.task.cancel() }
            for worker in running.values { await worker.task.value }
        }
    }

    /// One recipient's worker as it runs, with the target it was built for.
    private struct RunningWorker {
        let target: PushTarget
        let endpoint: PushEndpoint
        let task: Task<Void, Never>
    }

    /// Stops the workers whose target is gone or changed (waiting for a push in flight, so that
    /// two workers never push one recipient), starts those for new or changed targets, and gives
    /// the trust reloader the endpoints now pushed to.
    private func follow(_ targets: [AgencyID: PushTarget], running: [AgencyID: RunningWorker]) async -> [AgencyID: RunningWorker] {
        var next: [AgencyID: RunningWorker] = [:]
        for (agency, worker) in running.sorted(by: { $0.key < $1.key }) {
            if targets[agency] == worker.target {
                next[agency] = worker
                continue
            }
            worker.task.cancel()
            await worker.task.value
            if targets[agency] == nil {
                settings.logger.notice("push stopped: the set in force gives the agency no endpoint; its deliveries wait in the inbox",
                                       metadata: ["recipient": "\(agency)"])
            }
        }
        for (agency, target) in targets.sorted(by: { $0.key < $1.key }) where next[agency] == nil {
            guard let worker = makeWorker(for: target) else { continue }
            let task = Task { await worker.run() }
            next[agency] = RunningWorker(target: target, endpoint: worker.endpoint, task: task)
        }
        await trust.reloadsPush(next.keys.sorted().compactMap { next[$0]?.endpoint })
        return next
    }

    /// The worker for `target`, or nil (logged) when its endpoint cannot be set up.
    private func makeWorker(for target: PushTarget) -> PushWorker? {
        let logger = settings.logger
        var forwarding: PushWorker.ForwardingPartner?
        if case .forward(let agency, let partner) = target {
            // Without the pinned key no receipt could be verified, so nothing would ever be acknowledged.
            guard let key = partner.pinnedBindingKey(certificatesDirectory: settings.certificatesDirectory) else {
                logger.error("forwarding is off for an agency: the partner's binding_key cannot be read; its deliveries wait in the inbox",
                             metadata: ["recipient": "\(agency)", "partner": "\(partner.id)", "binding_key": "\(partner.bindingKey)"])
                return nil
            }
            forwarding = PushWorker.ForwardingPartner(id: partner.id, bindingKey: key)
        }
        let endpoint: PushEndpoint
        do {
            endpoint = try target.endpoint(certificatesDirectory: settings.certificatesDirectory, allowTLS12: settings.allowTLS12,
                                           acceptsLapsedCRLs: settings.acceptsLapsedCRLs)
        } catch {
            logger.error("push is off for an agency; its deliveries wait in the inbox for pulling", metadata: ["problem": "\(error)"])
            return nil
        }
        logger.notice("pushing deliveries", metadata: [
            "recipient": "\(target.recipient)", "via": "\(forwarding?.id ?? "direct")", "host": "\(endpoint.host)", "port": "\(endpoint.port)",
        ])
        return PushWorker(gateway: gateway, endpoint: endpoint, target: target, partner: forwarding, horizon: settings.horizon, pollInterval: settings.pollInterval,
                          metrics: PushMetrics(recipient: target.recipient.rawValue, factory: settings.factory), logger: logger, now: settings.now)
    }
}
