public import AccordCore
import AccordAudit
import CoreMetrics
import AccordMessages
import AccordStore
import Foundation
import Logging

extension Gateway {
    /// Presentations waiting for `agency`, in the order they became available to it, after the
    /// cursor `after`. Each one handed out is recorded as `message.delivered` and bound with a
    /// fresh KB-JWT naming that leaf. Items stay in the inbox until acknowledged, so a lost
    /// response loses nothing.
    ///
    /// A cursor is a delivery's inbox sequence, given when the delivery became available (at
    /// acceptance, or when a privacy officer released it), so a client may keep its cursor from
    /// poll to poll: a delivery released later lies after every cursor taken before. `next` never
    /// passes an item that could not be recorded as handed out (storage): the next poll reads it
    /// again. If no item of the page could be, the poll is refused as `unavailable`.
    public func inbox(for agency: AgencyID, after cursor: String?, limit: Int?) async throws(GatewayProblem) -> InboxPage {
        try requireRegistered(agency)
        let afterSequence: Int64
        if let cursor {
            guard let value = InboxCursor.sequence(cursor) else {
                throw GatewayProblem(code: "invalid-cursor", status: 400, title: "Bad request",
                                     detail: "'after' must be the 'cursor' or 'next' value of an earlier inbox page, unchanged")
            }
            afterSequence = value
        } else {
            afterSequence = 0
        }
        if let limit, limit < 1 {
            throw GatewayProblem(code: "invalid-limit", status: 400, title: "Bad request", detail: "'limit' must be at least 1")
        }
        let pageSize = min(limit ?? options.inboxPageSize, options.inboxPageSize)
        let fetched: [InboxEntry]
        let last: Int64?
        do {
            fetched = try await store.inbox(recipient: agency, states: [.pending, .delivered], afterSequence: afterSequence, limit: pageSize)
            last = fetched.isEmpty && afterSequence > 0 ? try await store.lastInboxSequence(recipient: agency) : nil
        } catch {
            throw .unavailable("the gateway could not read the inbox (\(error.code.rawValue))")
        }
        // A cursor past every delivery this inbox was ever given was not handed out here (a
        // database restored from an older backup, another gateway's): accepting it would skip
        // every delivery until the sequence caught up with it, and the client would never know.
        if let last, last < afterSequence {
            throw GatewayProblem(code: "invalid-cursor", status: 400, title: "Bad request",
                                 detail: "'after' lies beyond every delivery this inbox has handed out; poll without 'after' to start again")
        }
        var bytes = 0
        let entries = fetched.prefix { entry in
            defer { bytes += entry.delivery.envelope?.redacted?.utf8.count ?? 0 }
            return bytes == 0 || bytes + (entry.delivery.envelope?.redacted?.utf8.count ?? 0) <= options.inboxPageBytes
        }
        var handouts: [(sequence: Int64, handout: Handout)] = []
        await withTaskGroup(of: (Int64, Handout).self) { group in
            for entry in entries {
                group.addTask { (entry.sequence, await self.deliver(entry, to: agency)) }
            }
            for await result in group { handouts.append(result) }
        }
        handouts.sort { $0.sequence < $1.sequence }
        var next = afterSequence
        var blocked = false
        var items: [InboxItem] = []
        for (sequence, handout) in handouts {
            switch handout {
            case .item(let item): items.append(item)
            case .unusable, .waiting: break
            case .retryLater: blocked = true
            }
            if !blocked { next = sequence }
        }
        if items.isEmpty, blocked {
            throw .unavailable("the gateway could not hand out the inbox's deliveries; retry")
        }
        return InboxPage(items: items, next: String(next))
    }

    /// What became of one inbox entry: handed out; unusable (its text was purged or does not
    /// bind, which retrying cannot change: logged, and left in the inbox); or not recorded for a
    /// reason that may pass (storage), so the page's `next` must not pass it.
    enum Handout: Sendable {
        case item(InboxItem)
        case unusable
        /// Its agreement does not cover it now: it left the inbox, audited, and comes back with
        /// a sequence after every cursor handed out meanwhile, so the cursor may pass it.
        case waiting
        case retryLater
    }

    func deliver(_ entry: InboxEntry, to agency: AgencyID) async -> Handout {
        let delivery = entry.delivery
        guard let pending = delivery.envelope, let redacted = pending.redacted else {
            logger.warning("a delivery has no presentation (purged by retention?)", metadata: ["delivery_id": "\(delivery.id)"])
            return .unusable
        }
        let time = now()
        // An agreement suspended or run out since acceptance stops the hand-out here, even
        // before the next reconciliation has moved the delivery out of the inbox.
        if let reason = notCoveredReason(pending, to: agency, at: time) {
            return await holdBack(delivery, pending, reason: reason, at: time) ? .waiting : .retryLater
        }
        // A partner's forward is stored already bound (it ends with the partner's KB-JWT, not
        // '~') and is handed out as it arrived (docs/federation.md, "Receiving").
        let arrivedBound = !redacted.hasSuffix("~")
        // Before the pick-up is recorded: a delivery that cannot be bound is not handed out.
        let binders = arrivedBound ? nil : bindingKeys.pool(pending.binding)
        guard arrivedBound || binders != nil else {
            logger.warning("a delivery names a binding key no longer kept (gateway/binding-keys/)", metadata: ["delivery_id": "\(delivery.id)"])
            return .unusable
        }
        let record = AuditRecord(
            event: .messageDelivered, time: time, actor: agency.rawValue, messageID: delivery.messageID, deliveryID: delivery.id,
            from: pending.sender, to: [agency], agreement: AgreementReference(id: pending.agreementID, versionDigest: pending.agreementDigest),
            withheld: pending.withheld, subjects: pending.subjects ?? [],
            details: ["attempt": String(delivery.attempts + 1), "type": pending.type, "purpose": pending.purpose])
        let leaf: UInt64
        do {
            let leaves = try await store.updateDelivery(DeliveryUpdate(deliveryID: delivery.id, state: .delivered, countsAsAttempt: true, audit: [record]))
            guard let first = leaves.first else { return .retryLater }
            leaf = first
        } catch {
            // A delivery acknowledged or expired since it was read has left the inbox.
            if error.code == .invalidTransition { return .unusable }
            logger.error("recording a delivery failed", metadata: ["delivery_id": "\(delivery.id)", "error": "\(error.code.rawValue)"])
            return .retryLater
        }
        let checkpointSize = await latestCheckpointSize.current(from: store)
        let decision = GatewayDecision(
            agreementID: pending.agreementID.rawValue, agreementDigest: pending.agreementDigest, auditLeafIndex: Int(leaf),
            withheldPaths: pending.withheld, handling: pending.handling, checkpointSize: checkpointSize.map { Int($0) })
        let presentation: String
        do {
            if let binders {
                presentation = try binders.withBinder { binder throws(MessageError) in
                    try binder.bind(redacted, audience: agency.rawValue, nonce: delivery.id.rawValue, decision: decision, issuedAt: time)
                }
            } else {
                presentation = redacted
            }
        } catch {
            logger.error("binding a presentation failed", metadata: ["delivery_id": "\(delivery.id)", "error": "\(error.code.rawValue)"])
            return .unusable
        }
        metrics.delivered.increment()
        return .item(InboxItem(
            deliveryID: delivery.id, messageID: delivery.messageID, from: pending.sender, type: pending.type, purpose: pending.purpose,
            agreement: pending.agreementID, handling: pending.handling, withheld: pending.withheld,
            receivedAt: Identifiers.timestamp(AuditTime.date(milliseconds: pending.receivedMilliseconds)),
            auditLeaf: leaf, presentation: presentation, cursor: String(entry.sequence), checkpointSize: checkpointSize))
    }

    /// Records that `agency` has the delivery; repeating an acknowledgement is harmless. `via` is
    /// `push` when the agency's endpoint answered a push with 2xx (docs/api.md, "Push delivery").
    /// A forward's acknowledgement also names the partner's receipt (`partner`, `partner_leaf`,
    /// `partner_checkpoint_size`), so our log names the partner's leaf (docs/federation.md).
    public func acknowledge(deliveryID: DeliveryID, by agency: AgencyID, via: String? = nil,
                            details extra: [String: String] = [:]) async throws(GatewayProblem) -> Acknowledgement {
        try requireRegistered(agency)
        let delivery: StoredDelivery?
        do { delivery = try await store.delivery(id: deliveryID) } catch {
            throw .unavailable("the gateway could not read the delivery (\(error.code.rawValue))")
        }
        guard let delivery, delivery.recipient == agency else { throw .notFound("delivery '\(deliveryID)'") }
        switch delivery.state {
        case .acknowledged:
            return Acknowledgement(deliveryID: deliveryID, state: "acknowledged", auditLeaf: nil)
        case .delivered:
            break
        default:
            throw GatewayProblem(code: "not-delivered", status: 409, title: "Not yet delivered",
                                 detail: "delivery '\(deliveryID)' is \(delivery.state.rawValue); pull it from the inbox before acknowledging")
        }
        let pending = delivery.envelope
        let record = AuditRecord(
            event: .messageAcknowledged, time: now(), actor: agency.rawValue, messageID: delivery.messageID, deliveryID: deliveryID,
            from: pending?.sender, to: [agency],
            agreement: pending.map { AgreementReference(id: $0.agreementID, versionDigest: $0.agreementDigest) },
            details: (via.map { ["via": $0] } ?? [:]).merging(extra) { first, _ in first })
        do {
            let leaves = try await store.updateDelivery(DeliveryUpdate(deliveryID: deliveryID, state: .acknowledged, audit: [record]))
            metrics.acknowledged.increment()
            return Acknowledgement(deliveryID: deliveryID, state: "acknowledged", auditLeaf: leaves.first)
        } catch where error.code == .invalidTransition {
            // A concurrent acknowledgement won.
            return Acknowledgement(deliveryID: deliveryID, state: "acknowledged", auditLeaf: nil)
        } catch {
            throw .unavailable("the gateway could not record the acknowledgement (\(error.code.rawValue)); retry")
        }
    }

    /// The sender's view of its message: one entry per recipient.
    public func status(of messageID: MessageID, for agency: AgencyID) async throws(GatewayProblem) -> MessageStatus {
        try requireRegistered(agency)
        let message: StoredMessage?
        let deliveries: [StoredDelivery]
        do {
            message = try await store.message(id: messageID)
            deliveries = message == nil ? [] : try await store.deliveries(messageID: messageID)
        } catch {
            throw .unavailable("the gateway could not read the message (\(error.code.rawValue))")
        }
        guard let message, message.sender == agency else { throw .notFound("message '\(messageID)'") }
        let refusals = await partnerRefusals(of: deliveries)
        return MessageStatus(
            messageID: messageID, receivedAt: Identifiers.timestamp(message.receivedAt), retained: message.sdJWT != nil,
            deliveries: deliveries.map { delivery in
                let pending = delivery.envelope
                return MessageStatus.Delivery(
                    deliveryID: delivery.id, recipient: delivery.recipient, state: delivery.state.rawValue, attempts: delivery.attempts,
                    updatedAt: Identifiers.timestamp(delivery.updatedAt), agreement: pending?.agreementID, withheld: pending?.withheld ?? [],
                    partnerRefusal: refusals[delivery.id])
            })
    }
}
