import AccordAudit
import AccordPolicy
import AccordStore
public import Foundation

extension Gateway {
    /// Held deliveries waiting for a privacy officer, oldest first.
    public func heldDeliveries() async throws(GatewayProblem) -> [HeldDelivery] {
        do {
            let agencies = policy.current.policy.set.agencies.keys.sorted()
            var held: [HeldDelivery] = []
            for agency in agencies {
                for delivery in try await store.deliveries(recipient: agency, states: [.held]) {
                    let pending = PendingDelivery.decode(delivery.presentation)
                    held.append(HeldDelivery(
                        deliveryID: delivery.id, messageID: delivery.messageID, from: pending?.from ?? "", to: delivery.recipient,
                        type: pending?.type ?? "", purpose: pending?.purpose ?? "", agreement: pending?.agreement ?? "",
                        withheld: pending?.withheld ?? [], heldSince: delivery.updatedAt))
                }
            }
            return held.sorted { $0.heldSince < $1.heldSince }
        } catch {
            throw .unavailable("the gateway could not read held deliveries (\(error.code.rawValue))")
        }
    }

    /// A privacy officer's decision on a held delivery: released to the recipient's inbox, or
    /// rejected. Audited with the officer as actor.
    public func review(deliveryID: String, release: Bool, by actor: String, note: String? = nil) async throws(GatewayProblem) -> UInt64? {
        let delivery: StoredDelivery?
        do { delivery = try await store.delivery(id: deliveryID) } catch {
            throw .unavailable("the gateway could not read the delivery (\(error.code.rawValue))")
        }
        guard let delivery else { throw .notFound("delivery '\(deliveryID)'") }
        guard delivery.state == .held else {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' is \(delivery.state.rawValue), not held")
        }
        let pending = PendingDelivery.decode(delivery.presentation)
        var details: [String: String] = [:]
        if let note, !note.isEmpty { details["note_length"] = String(note.count) }
        let record = AuditRecord(
            event: release ? .messageReleased : .messageDenied, time: now(), actor: actor, messageID: delivery.messageID,
            deliveryID: deliveryID, from: pending?.from, to: [delivery.recipient],
            agreement: pending.map { AgreementReference(id: $0.agreement, versionDigest: $0.agreementDigest) },
            withheld: pending?.withheld ?? [], reason: release ? "released-by-reviewer" : "rejected-by-reviewer", details: details)
        do {
            return try await store.updateDelivery(DeliveryUpdate(deliveryID: deliveryID, state: release ? .pending : .rejected, audit: [record])).first
        } catch {
            throw GatewayProblem(code: "review-failed", status: 409, title: "Review not recorded", detail: "\(error.code.rawValue): the delivery was changed concurrently")
        }
    }
}

/// A delivery held for review.
public struct HeldDelivery: Sendable, Equatable {
    public let deliveryID: String
    public let messageID: String
    public let from: String
    public let to: String
    public let type: String
    public let purpose: String
    public let agreement: String
    public let withheld: [String]
    public let heldSince: Date
}
