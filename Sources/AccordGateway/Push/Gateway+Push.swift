import AccordAudit
public import AccordStore
public import Foundation
import Logging

/// What a push worker is given for its recipient: the oldest delivery it may push now, or why
/// there is none.
public enum PushOffer: Sendable {
    /// Handed out exactly as `GET /v1/inbox` hands it out (`message.delivered` audited, the
    /// KB-JWT naming that leaf): POST it.
    case item(InboxItem)
    /// Nothing to push; `undeliverable` deliveries are older than the horizon and wait in the
    /// inbox for pulling.
    case nothing(undeliverable: Int)
    /// The store could not record the hand-out; try again later.
    case retryLater
}

/// The backlog of one push recipient, for metrics.
public struct PushBacklog: Sendable, Equatable {
    /// Deliveries in the inbox not yet acknowledged, pushable or not.
    public let waiting: Int
    /// Of those, the ones past the horizon: left for pulling.
    public let undeliverable: Int
    /// When the oldest of them was accepted; nil when none waits.
    public let oldest: Date?
}

extension Gateway {
    /// The next delivery to push to `agency`: the first in its inbox order that is not yet
    /// acknowledged and was accepted less than `horizon` ago (docs/api.md, "Push delivery").
    /// The inbox itself is the push queue, so that a delivery is queued in the transaction
    /// that accepts (or releases) it and a restart resumes from the database.
    public func nextPush(for agency: String, horizon: TimeInterval) async -> PushOffer {
        let oldestPushable = now().addingTimeInterval(-horizon)
        var after: Int64 = 0
        var undeliverable = 0
        while true {
            let page: [InboxEntry]
            do {
                page = try await store.inbox(recipient: agency, states: [.pending, .delivered], afterSequence: after, limit: 64)
            } catch {
                logger.error("reading the inbox for push failed", metadata: ["recipient": "\(agency)", "error": "\(error.code.rawValue)"])
                return .retryLater
            }
            guard !page.isEmpty else { return .nothing(undeliverable: undeliverable) }
            for entry in page {
                after = entry.sequence
                if let accepted = entry.delivery.envelope.map({ AuditTime.date(milliseconds: $0.receivedMilliseconds) }), accepted < oldestPushable {
                    undeliverable += 1
                    continue
                }
                switch await deliver(entry, to: agency) {
                case .item(let item): return .item(item)
                case .unusable, .waiting: continue
                case .retryLater: return .retryLater
                }
            }
        }
    }

    /// How many deliveries wait for `agency`, how many of them are past the horizon, and the
    /// acceptance time of the oldest.
    public func pushBacklog(for agency: String, horizon: TimeInterval) async throws(StoreError) -> PushBacklog {
        let waiting = try await store.deliveries(recipient: agency, states: [.pending, .delivered])
        let accepted = waiting.compactMap { $0.envelope.map { AuditTime.date(milliseconds: $0.receivedMilliseconds) } }
        let oldestPushable = now().addingTimeInterval(-horizon)
        return PushBacklog(waiting: waiting.count, undeliverable: accepted.filter { $0 < oldestPushable }.count, oldest: accepted.min())
    }
}
