public import AccordAudit
public import Foundation

/// What the gateway and the audit tools need from storage. SQLite through GRDB implements
/// it; a PostgreSQL implementation can follow without touching its callers.
///
/// Every write returns only once it is durable, with the leaf indexes of its audit records.
public protocol AccordStorage: Sendable {
    /// Message, deliveries and audit records of one submission, in one transaction.
    func accept(_ submission: Submission) async throws(StoreError) -> [UInt64]
    /// Audit records that stand alone (denials, certificate rejections, start and stop).
    func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64]
    func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64]
    func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64])
    /// Drops SD-JWT texts and presentations whose retention ended; audit leaves remain. A
    /// message with a delivery still open keeps its text until that delivery is expired.
    func purgeMessages(retainedUntilBefore cutoff: Date) async throws(StoreError) -> Int
    /// Signs a checkpoint now if leaves were appended since the last one.
    func checkpointNow() async throws(StoreError) -> StoredCheckpoint?

    func message(id: String) async throws(StoreError) -> StoredMessage?
    func deliveries(messageID: String) async throws(StoreError) -> [StoredDelivery]
    func deliveries(recipient: String, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery]
    func inbox(recipient: String, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry]
    /// The highest inbox sequence any delivery to `recipient` was given, whatever its state
    /// now; 0 when there was none. No cursor handed to the recipient lies beyond it.
    func lastInboxSequence(recipient: String) async throws(StoreError) -> Int64
    func delivery(id: String) async throws(StoreError) -> StoredDelivery?
    func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery]
    /// Deliveries in `states` accepted under agreement `agreementID` (as their presentation
    /// records it), whatever their recipient.
    func deliveries(agreementID: String, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery]
    func agreementSets() async throws(StoreError) -> [StoredAgreementSet]
    /// The digest of the agreement set activated last, without reading any set's content. A
    /// default reads through `agreementSets()`.
    func latestAgreementSetDigest() async throws(StoreError) -> String?
    /// The set activated last, with its content: the set in force. A default reads through
    /// `agreementSets()`.
    func latestAgreementSet() async throws(StoreError) -> StoredAgreementSet?

    func leafCount() async throws(StoreError) -> UInt64
    func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf]
    /// The stored leaf hashes of `range`, back to back, 32 bytes each: only the hashes, for
    /// proofs. Throws `corruptState` unless every leaf of the range is there. A default reads
    /// through `leaves(in:)`.
    func leafHashes(in range: Range<UInt64>) async throws(StoreError) -> [UInt8]
    func checkpoints() async throws(StoreError) -> [StoredCheckpoint]
    func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf]

    /// Verifies the whole stored log (see `LogVerifier`), reporting leaves checked so far after
    /// each page; a cancelled task stops between pages with `shuttingDown`. A default reads
    /// through `leaves(in:)`. Call it with every argument on `any AccordStorage`: the overload
    /// with defaults is the extension's, not the store's own.
    func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64, progress: (_ checked: UInt64, _ total: UInt64) -> Void
    ) async throws(StoreError) -> LogVerifier.Outcome
}
