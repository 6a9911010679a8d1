public import AccordCore
import AccordAudit
public import AccordStore
public import Foundation
import Logging

/// What a push worker is given for its recipient: the oldest delivery it may push now, or why
/// there is none.
public enum PushOffer: Sendable {
    /// Handed out exactly as `GET /v1/inbox` hands it out (`message.delivered` audited, the
    /// KB-JWT naming that leaf): POST it. `record`: how earlier tries went, if there were any.
    case item(InboxItem, record: PushRecord?)
    /// The oldest delivery is backing off until then (kept across restarts).
    case notBefore(Date)
    /// Nothing to push.
    case nothing
    /// The store could not be read or the hand-out recorded; try again later.
    case retryLater
}

/// The backlog of one push recipient, for metrics.
public struct PushBacklog: Sendable, Equatable {
    /// Deliveries in the inbox not yet acknowledged, pushable or not.
    public let waiting: Int
    /// Of those, the ones given up on at the horizon: left for pulling.
    public let undeliverable: Int
    /// When the oldest of them was accepted; nil when none waits.
    public let oldest: Date?
}

extension Gateway {
    /// The next delivery to push to `agency`: the first in its inbox order that is neither
    /// acknowledged nor given up on (docs/api.md, "Push delivery"). The inbox itself is the
    /// queue: a delivery is queued by the transaction that accepts (or releases) it, and a
    /// restart resumes from the database. A delivery first tried more than `horizon` ago is
    /// marked undeliverable here and left for pulling.
    public func nextPush(for agency: AgencyID, horizon: TimeInterval) async -> PushOffer {
        let time = now()
        var records: [DeliveryID: PushRecord] = [:]
        do {
            for record in try await store.pushRecords(recipient: agency) { records[record.deliveryID] = record }
        } catch {
            logger.error("reading push records failed", metadata: ["recipient": "\(agency)", "error": "\(error.code.rawValue)"])
            return .retryLater
        }
        var after: Int64 = 0
        while true {
            let page: [InboxEntry]
            do {
                page = try await store.inbox(recipient: agency, states: [.pending, .delivered], afterSequence: after, limit: 64)
            } catch {
                logger.error("reading the inbox for push failed", metadata: ["recipient": "\(agency)", "error": "\(error.code.rawValue)"])
                return .retryLater
            }
            guard !page.isEmpty else { return .nothing }
            for entry in page {
                after = entry.sequence
                let record = records[entry.delivery.id]
                if var record {
                    if record.state == .undeliverable { continue }
                    if time.timeIntervalSince(record.firstAttempt) > horizon {
                        record.state = .undeliverable
                        do { try await store.recordPush(record) } catch { return .retryLater }
                        logger.warning("push gave up at the horizon; the delivery waits in the inbox for pulling", metadata: [
                            "recipient": "\(agency)", "delivery_id": "\(record.deliveryID)", "attempts": "\(record.attempts)",
                            "last_failure": "\(record.lastFailure ?? "none")",
                        ])
                        continue
                    }
                    // A last try recorded after `time` (to the millisecond, as it is stored)
                    // means the clock was stepped back: the recorded wait is no longer a delay
                    // anyone chose, so it is tried now.
                    if record.nextAttempt > time, AuditTime.milliseconds(record.lastAttempt) <= AuditTime.milliseconds(time) {
                        return .notBefore(record.nextAttempt)
                    }
                }
                switch await deliver(entry, to: agency) {
                case .item(let item): return .item(item, record: record)
                case .unusable, .waiting: continue
                case .retryLater: return .retryLater
                }
            }
        }
    }

    /// Records a push that got no 2xx: `failure` is the status or client error code, never a
    /// body; the delivery is tried again from `retryAt`.
    public func pushFailed(_ item: InboxItem, to agency: AgencyID, record: PushRecord?, failure: String, retryAt: Date) async {
        let time = now()
        let updated = PushRecord(
            deliveryID: item.deliveryID, recipient: agency, state: .retrying, firstAttempt: record?.firstAttempt ?? time,
            lastAttempt: time, attempts: (record?.attempts ?? 0) + 1, nextAttempt: retryAt, lastFailure: failure)
        do { try await store.recordPush(updated) } catch {
            // The in-memory backoff still holds; only a restart would try sooner.
            logger.error("recording a failed push failed", metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error.code.rawValue)"])
        }
    }

    /// How many deliveries wait for `agency`, how many of them were given up on, and the
    /// acceptance time of the oldest.
    public func pushBacklog(for agency: AgencyID) async throws(StoreError) -> PushBacklog {
        let waiting = try await store.deliveries(recipient: agency, states: [.pending, .delivered])
        let undeliverable = try await store.pushRecords(recipient: agency).filter { $0.state == .undeliverable }.count
        let accepted = waiting.compactMap { $0.envelope.map { AuditTime.date(milliseconds: $0.receivedMilliseconds) } }
        return PushBacklog(waiting: waiting.count, undeliverable: undeliverable, oldest: accepted.min())
    }
}
