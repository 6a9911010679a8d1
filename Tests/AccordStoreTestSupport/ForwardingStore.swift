public import AccordCore
public import AccordAudit
public import AccordStore
public import Foundation

/// A store that passes every call to another, for tests that alter one or two of them (a
/// failing write, a tampered or held-back read) by overriding just those. Leaf hashes and log
/// verification are left to `AccordStorage`'s defaults, which read through `leaves(in:)`, so
/// an override of that read is seen by them too.
open class ForwardingStore: AccordStorage, @unchecked Sendable {
    public let base: any AccordStorage

    public init(_ base: any AccordStorage) {
        self.base = base
    }

    open func accept(_ submission: Submission) async throws(StoreError) -> [UInt64] { try await base.accept(submission) }
    open func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64] { try await base.append(records) }
    open func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] { try await base.updateDelivery(update) }
    open func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64]) {
        try await base.activateAgreementSet(activation)
    }
    open func deliveryFlows(from firstDay: Date, days: Int) async throws(StoreError) -> DeliveryFlows {
        try await base.deliveryFlows(from: firstDay, days: days)
    }
    open func pushRecords(recipient: AgencyID) async throws(StoreError) -> [PushRecord] { try await base.pushRecords(recipient: recipient) }
    open func pushRecords(state: PushRecord.State, limit: Int) async throws(StoreError) -> [PushRecord] { try await base.pushRecords(state: state, limit: limit) }
    open func recordPush(_ record: PushRecord) async throws(StoreError) { try await base.recordPush(record) }
    open func purgeMessages(retainedUntilBefore cutoff: Date) async throws(StoreError) -> Int { try await base.purgeMessages(retainedUntilBefore: cutoff) }
    open func checkpointNow() async throws(StoreError) -> StoredCheckpoint? { try await base.checkpointNow() }
    open func message(id: MessageID) async throws(StoreError) -> StoredMessage? { try await base.message(id: id) }
    open func deliveries(messageID: MessageID) async throws(StoreError) -> [StoredDelivery] { try await base.deliveries(messageID: messageID) }
    open func deliveries(recipient: AgencyID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        try await base.deliveries(recipient: recipient, states: states)
    }
    open func inbox(recipient: AgencyID, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry] {
        try await base.inbox(recipient: recipient, states: states, afterSequence: afterSequence, limit: limit)
    }
    open func deliveries(agreementID: AgreementID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        try await base.deliveries(agreementID: agreementID, states: states)
    }
    open func lastInboxSequence(recipient: AgencyID) async throws(StoreError) -> Int64 { try await base.lastInboxSequence(recipient: recipient) }
    open func delivery(id: DeliveryID) async throws(StoreError) -> StoredDelivery? { try await base.delivery(id: id) }
    open func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery] {
        try await base.openDeliveries(retainedUntilBefore: cutoff, limit: limit)
    }
    open func agreementSets() async throws(StoreError) -> [StoredAgreementSet] { try await base.agreementSets() }
    open func leafCount() async throws(StoreError) -> UInt64 { try await base.leafCount() }
    open func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] { try await base.leaves(in: range) }
    open func checkpoints() async throws(StoreError) -> [StoredCheckpoint] { try await base.checkpoints() }
    open func latestCheckpoint() async throws(StoreError) -> StoredCheckpoint? { try await base.latestCheckpoint() }
    open func firstCheckpoint(covering index: UInt64) async throws(StoreError) -> StoredCheckpoint? { try await base.firstCheckpoint(covering: index) }
    open func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] { try await base.query(query) }
}
