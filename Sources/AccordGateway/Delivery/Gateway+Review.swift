import AccordAudit
import AccordStore
import Foundation

extension Gateway {
    /// A privacy officer's decision on a held delivery: released to the recipient's inbox, or
    /// rejected. Audited with the officer as actor. Release is refused (409
    /// `agreement-not-in-force`) while the agreement does not cover the delivery; rejecting
    /// it is always possible.
    public func review(deliveryID: String, release: Bool, by actor: String) async throws(GatewayProblem) -> UInt64? {
        let delivery: StoredDelivery?
        do { delivery = try await store.delivery(id: deliveryID) } catch {
            throw .unavailable("the gateway could not read the delivery (\(error.code.rawValue))")
        }
        guard let delivery else { throw .notFound("delivery '\(deliveryID)'") }
        guard delivery.state == .held else {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' is \(delivery.state.rawValue), not held")
        }
        let pending = delivery.envelope
        let time = now()
        if release, let pending, let reason = notCoveredReason(pending, to: delivery.recipient, at: time) {
            throw GatewayProblem(code: "agreement-not-in-force", status: 409, title: "No agreement in force covers it",
                                 detail: "delivery '\(deliveryID)' cannot be released: agreement '\(pending.agreementID)' does not cover it now (\(reason)); it stays held until the agreement is in force again, or expires")
        }
        let record = AuditRecord(
            event: release ? .messageReleased : .messageDenied, time: time, actor: actor, messageID: delivery.messageID,
            deliveryID: deliveryID, from: pending?.sender, to: [delivery.recipient],
            agreement: pending.map { AgreementReference(id: $0.agreementID, versionDigest: $0.agreementDigest) },
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
