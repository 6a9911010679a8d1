import AccordAudit
import AccordStore
import Foundation

extension Gateway {
    /// A privacy officer's decision on a held delivery: released to the recipient's inbox, or
    /// rejected. Audited with the officer as actor.
    public func review(deliveryID: String, release: Bool, by actor: String) async throws(GatewayProblem) -> UInt64? {
        let delivery: StoredDelivery?
        do { delivery = try await store.delivery(id: deliveryID) } catch {
            throw .unavailable("the gateway could not read the delivery (\(error.code.rawValue))")
        }
        guard let delivery else { throw .notFound("delivery '\(deliveryID)'") }
        guard delivery.state == .held else {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' is \(delivery.state.rawValue), not held")
        }
        let pending = PendingDelivery.decode(delivery.presentation)
        let record = AuditRecord(
            event: release ? .messageReleased : .messageDenied, time: now(), actor: actor, messageID: delivery.messageID,
            deliveryID: deliveryID, from: pending?.from, to: [delivery.recipient],
            agreement: pending.map { AgreementReference(id: $0.agreement, versionDigest: $0.agreementDigest) },
            withheld: pending?.withheld ?? [], reason: release ? "approved-by-privacy-officer" : "rejected-by-privacy-officer")
        do {
            return try await store.updateDelivery(DeliveryUpdate(deliveryID: deliveryID, state: release ? .pending : .rejected, audit: [record])).first
        } catch where error.code == .invalidTransition {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' was decided concurrently")
        } catch {
            throw .unavailable("the review could not be recorded (\(error.code.rawValue)); nothing changed, retry")
        }
    }
}
