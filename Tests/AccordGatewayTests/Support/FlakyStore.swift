import AccordAudit
import AccordStore
import Foundation
import Synchronization

/// A store that forwards to another, except that recording a change to one of `failing`'s
/// deliveries fails as if the database had: a storage failure that passes.
final class FlakyStore: AccordStorage {
    let base: any AccordStorage
    let failing: Mutex<Set<String>> = Mutex([])

    init(_ base: any AccordStorage) {
        self.base = base
    }

    func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] {
        if failing.withLock({ $0.contains(update.deliveryID) }) { throw StoreError(.databaseFailed, "disk I/O error (simulated)") }
        return try await base.updateDelivery(update)
    }

    func accept(_ submission: Submission) async throws(StoreError) -> [UInt64] { try await base.accept(submission) }
    func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64] { try await base.append(records) }
    func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64]) {
        try await base.activateAgreementSet(activation)
    }
    func purgeMessages(retainedUntilBefore cutoff: Date) async throws(StoreError) -> Int { try await base.purgeMessages(retainedUntilBefore: cutoff) }
    func checkpointNow() async throws(StoreError) -> StoredCheckpoint? { try await base.checkpointNow() }
    func message(id: String) async throws(StoreError) -> StoredMessage? { try await base.message(id: id) }
    func deliveries(messageID: String) async throws(StoreError) -> [StoredDelivery] { try await base.deliveries(messageID: messageID) }
    func deliveries(recipient: String, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        try await base.deliveries(recipient: recipient, states: states)
    }
    func inbox(recipient: String, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry] {
        try await base.inbox(recipient: recipient, states: states, afterSequence: afterSequence, limit: limit)
    }
    func delivery(id: String) async throws(StoreError) -> StoredDelivery? { try await base.delivery(id: id) }
    func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery] {
        try await base.openDeliveries(retainedUntilBefore: cutoff, limit: limit)
    }
    func agreementSets() async throws(StoreError) -> [StoredAgreementSet] { try await base.agreementSets() }
    func leafCount() async throws(StoreError) -> UInt64 { try await base.leafCount() }
    func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] { try await base.leaves(in: range) }
    func leafHashes(in range: Range<UInt64>) async throws(StoreError) -> [UInt8] { try await base.leafHashes(in: range) }
    func checkpoints() async throws(StoreError) -> [StoredCheckpoint] { try await base.checkpoints() }
    func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] { try await base.query(query) }
    func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64, progress: (_ checked: UInt64, _ total: UInt64) -> Void
    ) async throws(StoreError) -> LogVerifier.Outcome {
        try await base.verifyLog(origin: origin, verifier: verifier, pageSize: pageSize, progress: progress)
    }
}
