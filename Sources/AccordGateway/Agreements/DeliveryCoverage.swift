import AccordCore
import AccordAudit
import AccordPolicy
import AccordStore
import Foundation
import Logging

extension Gateway {
    /// Why the agreement `pending` was accepted under does not cover it now (as a stable reason
    /// for the audit log), or nil when it does: in force on the day of `time` and with a flow
    /// from its sender to `recipient` for its type and purpose. The agreement may have been
    /// changed since; it is the set in force that decides, never the one at acceptance.
    func notCoveredReason(_ pending: DeliveryEnvelope, to recipient: AgencyID, at time: Date) -> String? {
        let today = CalendarDate(time)
        guard let agreement = policy.current.policy.set.agreement(id: pending.agreementID) else { return "agreement-not-in-force" }
        guard agreement.isInEffect(on: today) else {
            switch agreement.status {
            case .suspended: return "agreement-suspended"
            case .expired: return "agreement-expired"
            case .active: return agreement.validUntil < today ? "agreement-expired" : "agreement-not-yet-valid"
            case .draft: return "agreement-not-in-force"
            }
        }
        let covers = agreement.flows.contains { flow in
            flow.from.contains(pending.sender) && flow.to.contains(recipient) && flow.types.contains(pending.type)
                && flow.purposes.contains(pending.purpose)
        }
        return covers ? nil : "no-flow-covers"
    }

    /// Takes a delivery out of the inbox while its agreement does not cover it, audited.
    /// Whether it left the inbox (or had already): false only when storage could not record it.
    func holdBack(_ delivery: StoredDelivery, _ pending: DeliveryEnvelope, reason: String, at time: Date) async -> Bool {
        let record = AuditRecord(
            event: .messageWaiting, time: time, actor: "gateway", messageID: delivery.messageID, deliveryID: delivery.id,
            from: pending.sender, to: [delivery.recipient],
            agreement: AgreementReference(id: pending.agreementID, versionDigest: pending.agreementDigest), reason: reason,
            details: ["state": delivery.state.rawValue])
        do {
            if delivery.state == .held {
                // Held stays held: the officer's decision is still to come, and release is refused meanwhile.
                _ = try await store.append([record])
            } else {
                _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: delivery.id, state: .waiting, audit: [record]))
            }
            logger.notice("a delivery waits: its agreement does not cover it now",
                          metadata: ["delivery_id": "\(delivery.id)", "agreement": "\(pending.agreementID)", "reason": "\(reason)"])
            return true
        } catch {
            if error.code == .invalidTransition { return true }
            logger.error("recording a waiting delivery failed", metadata: ["delivery_id": "\(delivery.id)", "error": "\(error.code.rawValue)"])
            return false
        }
    }

    /// Re-checks the deliveries of agreements whose standing changed: those of an agreement that
    /// went out of force wait; those waiting under an agreement in force again go out (after
    /// every cursor handed out meanwhile). `previous` is the set in force before an activation.
    func reconcileDeliveries(previous: AgreementSet?, lapsed: [AgreementID], at time: Date) async {
        let today = CalendarDate(time)
        let current = policy.current.policy.set
        let inForce = Set(current.agreements.filter { $0.isInEffect(on: today) }.map(\.id))
        var leaving = Set(lapsed)
        var returning: Set<AgreementID> = []
        if let previous {
            let before = Set(previous.agreements.filter { $0.isInEffect(on: today) }.map(\.id))
            leaving.formUnion(before.subtracting(inForce))
            returning = inForce.subtracting(before)
        }
        for id in leaving.sorted() {
            let open: [StoredDelivery]
            do { open = try await store.deliveries(agreementID: id, states: [.pending, .delivered, .held]) } catch {
                logger.error("cannot read the deliveries of an agreement out of force", metadata: ["agreement": "\(id)", "error": "\(error.code.rawValue)"])
                continue
            }
            for delivery in open {
                guard let pending = delivery.envelope,
                      let reason = notCoveredReason(pending, to: delivery.recipient, at: time) else { continue }
                _ = await holdBack(delivery, pending, reason: reason, at: time)
            }
        }
        // Waiting deliveries are few; every run looks at all of those whose agreement is in
        // force, so one that could not be resumed before is resumed now.
        for id in inForce.sorted() {
            let waiting: [StoredDelivery]
            do { waiting = try await store.deliveries(agreementID: id, states: returning.contains(id) ? [.waiting, .held] : [.waiting]) } catch {
                logger.error("cannot read the deliveries waiting for an agreement", metadata: ["agreement": "\(id)", "error": "\(error.code.rawValue)"])
                continue
            }
            for delivery in waiting {
                guard let pending = delivery.envelope,
                      notCoveredReason(pending, to: delivery.recipient, at: time) == nil else { continue }
                await resume(delivery, pending, at: time)
            }
        }
    }

    private func resume(_ delivery: StoredDelivery, _ pending: DeliveryEnvelope, at time: Date) async {
        let record = AuditRecord(
            event: .messageResumed, time: time, actor: "gateway", messageID: delivery.messageID, deliveryID: delivery.id,
            from: pending.sender, to: [delivery.recipient],
            agreement: AgreementReference(id: pending.agreementID, versionDigest: pending.agreementDigest), reason: "agreement-in-force",
            details: ["state": delivery.state.rawValue])
        do {
            if delivery.state == .held {
                _ = try await store.append([record])
            } else {
                _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: delivery.id, state: .pending, audit: [record]))
            }
        } catch where error.code == .invalidTransition {
            return  // expired meanwhile
        } catch {
            logger.error("resuming a waiting delivery failed", metadata: ["delivery_id": "\(delivery.id)", "error": "\(error.code.rawValue)"])
        }
    }
}
