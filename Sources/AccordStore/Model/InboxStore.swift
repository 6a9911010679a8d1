public import AccordCore
/// What a recipient's inbox, acknowledgements and a privacy officer's reviews need.
public protocol InboxStore: Sendable {
    func inbox(recipient: AgencyID, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry]
    /// The highest inbox sequence any delivery to `recipient` was given, whatever its state
    /// now; 0 when there was none. No cursor handed to the recipient lies beyond it.
    func lastInboxSequence(recipient: AgencyID) async throws(StoreError) -> Int64
    func delivery(id: DeliveryID) async throws(StoreError) -> StoredDelivery?
    func deliveries(recipient: AgencyID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery]
    /// Moves one delivery forward and appends the records that explain it, together.
    func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64]
}
