public import AccordAudit
public import Foundation

/// What the audit readers need: the console, `accord audit`, proofs and verification.
public protocol AuditReading: Sendable {
    func leafCount() async throws(StoreError) -> UInt64
    func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf]
    /// The stored leaf hashes of `range`, back to back, 32 bytes each: only the hashes, for
    /// proofs. Throws `corruptState` unless every leaf of the range is there. A default reads
    /// through `leaves(in:)`.
    func leafHashes(in range: Range<UInt64>) async throws(StoreError) -> [UInt8]
    /// Every checkpoint, oldest first: for verifying and exporting the whole log. Pages and
    /// probes use `latestCheckpoint()`, which reads one row however old the log is.
    func checkpoints() async throws(StoreError) -> [StoredCheckpoint]
    /// The checkpoint signed last; nil before the first.
    func latestCheckpoint() async throws(StoreError) -> StoredCheckpoint?
    /// The first checkpoint covering leaf `index` (its size is above `index`); nil if none does yet.
    func firstCheckpoint(covering index: UInt64) async throws(StoreError) -> StoredCheckpoint?
    func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf]
    /// The policy decisions recorded since `since`, identical ones grouped, for replaying past
    /// traffic against a draft. Reads only: it works beside the gateway that writes the log.
    /// A default groups what `query` returns.
    func recordedDecisions(since: Date) async throws(StoreError) -> [RecordedDecisionGroup]
    /// The flows view's counts over `days` days from `firstDay`, computed by the database:
    /// what the caller holds is the counts, never the leaves.
    func deliveryFlows(from firstDay: Date, days: Int) async throws(StoreError) -> DeliveryFlows

    /// Verifies the whole stored log (see `LogVerifier`), reporting leaves checked so far after
    /// each page; a cancelled task stops between pages with `shuttingDown`. A default reads
    /// through `leaves(in:)`. Call it with every argument on an existential: the overload
    /// with defaults is the extension's, not the store's own.
    func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64, progress: (_ checked: UInt64, _ total: UInt64) -> Void
    ) async throws(StoreError) -> LogVerifier.Outcome
}
