import AccordAudit
import AccordStore
import Foundation
import Synchronization

/// The fixture's store seen through a window the test controls: reading leaves can be held
/// back until the test opens a gate (a verification that is still running), and a leaf can
/// be read back altered (a tampered database). `verifyLog` is the protocol's default, which
/// reads through `leaves(in:)`.
final class WrappedStore: AccordStorage {
    let base: SQLiteStore
    let gate: Gate?
    let alteredLeaf: UInt64?

    init(_ base: SQLiteStore, gate: Gate? = nil, alteredLeaf: UInt64? = nil) {
        self.base = base
        self.gate = gate
        self.alteredLeaf = alteredLeaf
    }

    func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] {
        await gate?.wait()
        return try await base.leaves(in: range).map { leaf in
            guard leaf.index == alteredLeaf else { return leaf }
            let text = String(decoding: leaf.bytes, as: UTF8.self).replacingOccurrences(of: "nz.police", with: "nz.customs")
            return StoredLeaf(index: leaf.index, bytes: Array(text.utf8), leafHash: leaf.leafHash)
        }
    }

    func accept(_ submission: Submission) async throws(StoreError) -> [UInt64] { try await base.accept(submission) }
    func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64] { try await base.append(records) }
    func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] { try await base.updateDelivery(update) }
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
    func checkpoints() async throws(StoreError) -> [StoredCheckpoint] { try await base.checkpoints() }
    func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] { try await base.query(query) }
}

/// Holds callers until opened; open stays open.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
