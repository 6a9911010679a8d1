import AccordAudit
import AccordConsole
import AccordStore
import Foundation

/// The gateway's side of a review, as the console tests need it: the state change and its
/// audit record. It stands in for `GatewayHeldReview` (internal to AccordServer) only because
/// this bundle has no gateway; the real review through the console is tested end to end in
/// `LiveConsoleTests` (approve and reject) and `AgreementLifecycleTests` (refused while the
/// agreement is suspended).
struct TestHeldReview: HeldReview {
    let store: any AccordStorage
    let now: @Sendable () -> Date

    func review(deliveryID: String, release: Bool, by actor: String, reason: String?) async throws -> HeldReviewOutcome {
        guard let delivery = try await store.delivery(id: deliveryID), delivery.state == .held else { return .notHeld }
        let message = try await store.message(id: delivery.messageID)
        // The gateway takes the agreement from the delivery; the seeded deliveries carry it in their held record.
        let held = try await store.query(AuditQuery(events: [.messageHeld], messageID: delivery.messageID))
            .first { $0.record.deliveryID == deliveryID }?.record
        let record = AuditRecord(
            event: release ? .messageReleased : .messageDenied, time: now(), actor: actor, messageID: delivery.messageID,
            deliveryID: deliveryID, from: message?.sender, to: [delivery.recipient], agreement: held?.agreement,
            withheld: held?.withheld ?? [], reason: release ? "approved-by-privacy-officer" : "rejected-by-privacy-officer",
            details: reason.map { ["officer_reason": $0] } ?? [:])
        _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: deliveryID, state: release ? .pending : .rejected, audit: [record]))
        return .decided
    }

    /// The console tests' deliveries carry no envelope to read values from; the values page is
    /// tested against the gateway in `LiveHeldReviewTests`.
    func content(deliveryID: String, for actor: String) async throws -> HeldContent? { nil }
}
