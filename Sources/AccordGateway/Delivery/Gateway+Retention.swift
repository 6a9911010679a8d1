import AccordAudit
import AccordStore
public import Foundation

/// What one retention run did.
public struct RetentionOutcome: Sendable, Equatable {
    /// Deliveries expired, each with a `message.expired` leaf.
    public let expired: Int
    /// Messages whose text was dropped.
    public let purged: Int

    public init(expired: Int, purged: Int) {
        self.expired = expired
        self.purged = purged
    }
}

extension Gateway {
    /// One retention run at one instant: expires the open deliveries whose retention has
    /// ended, then purges the texts of the same messages. One instant for both, so that no
    /// delivery's retention can end between the two steps and lose its text while open.
    public func applyRetention() async throws(GatewayProblem) -> RetentionOutcome {
        let cutoff = now()
        let expired = try await expireDeliveries(before: cutoff)
        do {
            return RetentionOutcome(expired: expired, purged: try await store.purgeMessages(retainedUntilBefore: cutoff))
        } catch {
            throw .unavailable("the gateway could not purge messages whose retention ended (\(error.code.rawValue))")
        }
    }

    /// Expires every delivery still open whose message's retention has ended, each with a
    /// `message.expired` leaf, so that nothing is left pending without its text and the
    /// sender sees `expired`. Runs before the retention purge. Returns how many expired.
    @discardableResult
    public func expireDeliveries(before cutoff: Date) async throws(GatewayProblem) -> Int {
        var expired = 0
        while true {
            let open: [StoredDelivery]
            do { open = try await store.openDeliveries(retainedUntilBefore: cutoff, limit: 500) } catch {
                throw .unavailable("the gateway could not read deliveries to expire (\(error.code.rawValue))")
            }
            if open.isEmpty { return expired }
            for delivery in open {
                let pending = delivery.envelope
                let record = AuditRecord(
                    event: .messageExpired, time: now(), actor: "gateway", messageID: delivery.messageID, deliveryID: delivery.id,
                    from: pending?.sender, to: [delivery.recipient],
                    agreement: pending.map { AgreementReference(id: $0.agreementID, versionDigest: $0.agreementDigest) },
                    reason: "retention-ended", details: ["state": delivery.state.rawValue])
                do {
                    _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: delivery.id, state: .expired, audit: [record]))
                    expired += 1
                } catch where error.code == .invalidTransition {
                    continue  // acknowledged meanwhile
                } catch {
                    throw .unavailable("the gateway could not expire a delivery (\(error.code.rawValue))")
                }
            }
        }
    }
}
