public import AccordAudit

/// What records events that stand alone: refusals, certificate rejections, start and stop.
public protocol AuditAppending: Sendable {
    func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64]
    /// Signs a checkpoint now if leaves were appended since the last one.
    func checkpointNow() async throws(StoreError) -> StoredCheckpoint?
}
