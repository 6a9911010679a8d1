import AccordClient
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordStore
import Foundation
import Logging
import Metrics
import Synchronization

/// Pushes one recipient's deliveries, oldest first, one at a time: a delivery that fails is
/// retried (`PushSchedule`) before any later one is tried, so the recipient receives them in
/// inbox order, and a slow recipient holds up only its own worker. With several nodes on one
/// database, only the node holding the recipient's push lease pushes (`PushStore.claimPushLease`).
struct PushWorker: Sendable {
    let gateway: Gateway
    let endpoint: PushEndpoint
    /// What the set in force said to push to when this worker was made.
    let target: PushTarget
    /// The partner gateway this worker forwards through, or nil for an agency's own endpoint.
    var partner: ForwardingPartner?
    let horizon: TimeInterval
    let pollInterval: Duration
    let metrics: PushMetrics
    let logger: Logger
    let now: @Sendable () -> Date

    /// A partner gateway as a forwarding worker knows it: its id and the binding key its
    /// receipts must be signed with.
    struct ForwardingPartner: Sendable {
        let id: String
        let bindingKey: PublicKey
    }

    func run() async {
        let leased = PushLeaseFlag()
        await claimLease(leased)
        await withDiscardingTaskGroup { group in
            // Renewed beside the pushing, so that a POST slower than the lease keeps it.
            group.addTask { await renewLease(leased) }
            await push(whileLeased: leased)
            group.cancelAll()
        }
    }

    private func renewLease(_ leased: PushLeaseFlag) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: PushLeaseFlag.renewal) } catch { return }
            await claimLease(leased)
        }
    }

    private func claimLease(_ leased: PushLeaseFlag) async {
        do throws(StoreError) { leased.set(try await gateway.store.claimPushLease(recipient: endpoint.agency)) } catch {
            leased.set(false)
            logger.warning("cannot renew the push lease; not pushing until it is renewed",
                           metadata: ["recipient": "\(endpoint.agency)", "error": "\(error.code.rawValue)"])
        }
    }

    private func push(whileLeased leased: PushLeaseFlag) async {
        var schedule = PushSchedule()
        var connection: PushEndpoint.Connection?
        // Measured on the monotonic clock: a wall clock stepped back would stop the gauges.
        var gaugesSetAt: ContinuousClock.Instant?
        var generation: Int?
        while !Task.isCancelled {
            let snapshot = gateway.policy.current
            if snapshot.generation != generation {
                generation = snapshot.generation
                // Once an activation that moved or removed this endpoint is in force, nothing more
                // goes to it; the push service starts the worker for the new one.
                guard PushTarget.all(in: snapshot.policy.set)[endpoint.agency] == target else { return }
            }
            if gaugesSetAt.map({ ContinuousClock.now - $0 >= .seconds(5) }) ?? true {
                gaugesSetAt = ContinuousClock.now
                await recordBacklog()
            }
            guard leased.isHeld else {
                // Another node pushes this recipient (or the database cannot say who does).
                try? await Task.sleep(for: pollInterval)
                continue
            }
            let wait = schedule.wait(at: now())
            if wait > 0 {
                try? await Task.sleep(for: .seconds(min(wait, 5)))
                continue
            }
            let item: InboxItem
            let earlier: PushRecord?
            switch await gateway.nextPush(for: endpoint.agency, horizon: horizon) {
            case .item(let next, let record):
                item = next
                earlier = record
                if let record { schedule.resume(afterFailures: record.attempts) }
            case .notBefore(let time):
                try? await Task.sleep(for: .seconds(min(max(time.timeIntervalSince(now()), 0.01), 5)))
                continue
            case .nothing, .retryLater:
                try? await Task.sleep(for: pollInterval)
                continue
            }
            // The very JSON `GET /v1/inbox` hands out for this item; a forward adds our checkpoint holding its leaf.
            let body = partner == nil ? JSONResponse.bytes(item)
                : ForwardBody.bytes(item, checkpoint: await gateway.coveringCheckpoint(of: item.auditLeaf))
            metrics.attempts.increment()
            let answer = await endpoint.post(body, deliveryID: item.deliveryID, over: &connection)
            if let status = answer.status, (200..<300).contains(status) {
                let details: [String: String]?
                if let partner {
                    switch PartnerReceiptCheck(partner: partner.id, answer: answer.body, deliveryID: item.deliveryID, pinnedKey: partner.bindingKey) {
                    case .verified(let verified):
                        details = verified
                    case .unverifiable(let reason):
                        metrics.failures.increment()
                        schedule.failed(at: now(), jitter: Double.random(in: 0..<1))
                        await gateway.forwardUnacknowledged(item, to: endpoint.agency, by: partner.id, record: earlier, reason: reason,
                                                            retryAt: schedule.nextAttempt ?? now())
                        continue
                    }
                } else {
                    details = nil
                }
                schedule.succeeded()
                do {
                    if let details {
                        _ = try await gateway.acknowledge(deliveryID: item.deliveryID, by: endpoint.agency, via: "partner", details: details)
                    } else {
                        _ = try await gateway.acknowledge(deliveryID: item.deliveryID, by: endpoint.agency, via: "push")
                    }
                } catch {
                    // Still delivered, not acknowledged: pushed again, and the receiver files it by id.
                    logger.error("recording a pushed delivery's acknowledgement failed",
                                 metadata: ["recipient": "\(endpoint.agency)", "delivery_id": "\(item.deliveryID)", "error": "\(error.code)"])
                }
                continue
            }
            metrics.failures.increment()
            if let partner, let status = answer.status, let reason = PartnerAnswer.refusal(status: status, body: answer.body) {
                await gateway.forwardRefused(item, to: endpoint.agency, by: partner.id, record: earlier, reason: reason)
                continue
            }
            schedule.failed(at: now(), jitter: Double.random(in: 0..<1))
            let failure = answer.status.map(String.init) ?? answer.failure ?? "no-answer"
            await gateway.pushFailed(item, to: endpoint.agency, record: earlier, failure: failure, retryAt: schedule.nextAttempt ?? now())
            logger.warning("push failed; will retry", metadata: [
                "recipient": "\(endpoint.agency)", "delivery_id": "\(item.deliveryID)", "failure": "\(failure)",
                "consecutive_failures": "\(schedule.consecutiveFailures)", "breaker": "\(schedule.breaker)",
                "retry_in_seconds": "\(Int(schedule.wait(at: now()).rounded(.up)))",
            ])
        }
        await connection?.http.close()
    }

    private func recordBacklog() async {
        do {
            let backlog = try await gateway.pushBacklog(for: endpoint.agency)
            metrics.backlog.record(backlog.waiting)
            metrics.undeliverable.record(backlog.undeliverable)
            metrics.oldestAge.record(backlog.oldest.map { max(0, now().timeIntervalSince($0)) } ?? 0)
        } catch {
            logger.warning("cannot read the push backlog for metrics", metadata: ["recipient": "\(endpoint.agency)", "error": "\(error.code.rawValue)"])
        }
    }
}

/// Whether this node holds a push worker's lease, as its renewal last found; shared by the
/// worker's two tasks.
final class PushLeaseFlag: Sendable {
    static let renewal: Duration = .seconds(2)
    private let held = Mutex(false)

    var isHeld: Bool { held.withLock { $0 } }

    func set(_ value: Bool) { held.withLock { $0 = value } }
}
