import AccordCore
import AccordStore
import AccordStoreTestSupport
import Synchronization

/// A store that forwards to another, except that recording a change to one of `failing`'s
/// deliveries fails as if the database had: a storage failure that passes.
final class FlakyStore: ForwardingStore, @unchecked Sendable {
    let failing: Mutex<Set<DeliveryID>> = Mutex([])

    override func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] {
        if failing.withLock({ $0.contains(update.deliveryID) }) { throw StoreError(.databaseFailed, "disk I/O error (simulated)") }
        return try await base.updateDelivery(update)
    }
}
