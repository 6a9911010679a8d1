import AccordAudit
import Foundation

/// Each kind of write as the stores offer it, queued for the writer and its result unpacked:
/// the SQLite and PostgreSQL stores differ in how a batch is committed, not in what is asked
/// of it (docs/architecture.md, "Storage").
extension CommitQueue {
    func accept(_ submission: Submission) async throws(StoreError) -> [UInt64] {
        try await leaves(.accept(submission, PreparedRecord.all(submission.audit)))
    }

    func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64] {
        try await leaves(.append(PreparedRecord.all(records)))
    }

    func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] {
        try await leaves(.updateDelivery(update, PreparedRecord.all(update.audit)))
    }

    func recordPush(_ record: PushRecord) async throws(StoreError) {
        _ = try await leaves(.recordPush(record))
    }

    func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64]) {
        guard case .agreementSet(let version, let leaves) = try await submit(.activateAgreementSet(activation, PreparedRecord.all(activation.audit))) else {
            throw Self.unexpected
        }
        return (version, leaves)
    }

    func purge(cutoff: Date, now: Date) async throws(StoreError) -> Int {
        guard case .purged(let count) = try await submit(.purge(cutoff: cutoff, now: now)) else { throw Self.unexpected }
        return count
    }

    func rotateAuditKey(to signer: NoteSigner, record: AuditRecord) async throws(StoreError) -> (leaf: UInt64, checkpoint: StoredCheckpoint) {
        guard case .rotation(let leaf, let checkpoint) = try await submit(.rotateAuditKey(signer, PreparedRecord(record))) else { throw Self.unexpected }
        return (leaf, checkpoint)
    }

    func checkpointNow() async throws(StoreError) -> StoredCheckpoint? {
        guard case .checkpoint(let checkpoint) = try await submit(.checkpoint(force: true)) else { throw Self.unexpected }
        return checkpoint
    }

    private func leaves(_ work: WriteWork) async throws(StoreError) -> [UInt64] {
        guard case .leaves(let leaves) = try await submit(work) else { throw Self.unexpected }
        return leaves
    }

    private static var unexpected: StoreError {
        StoreError(.corruptState, "the writer answered with a result of another kind")
    }

    /// Refused to a store opened for reading.
    static var readOnly: StoreError {
        StoreError(.readOnly, "this store was opened without a signer, for reading; open it with the gateway's signer to write")
    }
}
