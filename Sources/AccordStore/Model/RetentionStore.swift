public import AccordCore
public import Foundation

/// What the gateway's housekeeping needs: expiring and purging what retention ended, and
/// finding the deliveries an agreement change affects.
public protocol RetentionStore: Sendable {
    /// Drops SD-JWT texts and redacted texts whose retention ended; audit leaves remain. A
    /// message with a delivery still open keeps its text until that delivery is expired.
    func purgeMessages(retainedUntilBefore cutoff: Date) async throws(StoreError) -> Int
    func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery]
    /// Deliveries in `states` accepted under agreement `agreementID`, whatever their recipient.
    func deliveries(agreementID: AgreementID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery]
}
