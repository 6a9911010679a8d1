public import AccordAudit

extension AuditReading {
    /// The audit key rotations the log records, as their leaves say; a verification that uses
    /// them authenticates those leaves with the rest of the log.
    public func auditKeyRotations() async throws(StoreError) -> [AuditKeyHistory.Rotation] {
        var rotations: [AuditKeyHistory.Rotation] = []
        for leaf in try await query(AuditQuery(events: [.auditKeyRotated])) {
            guard let old = leaf.record.details["old_key"], let new = leaf.record.details["new_key"] else {
                throw StoreError(.corruptState, "the audit key rotation at leaf \(leaf.index) names no old_key and new_key")
            }
            rotations.append(AuditKeyHistory.Rotation(leafIndex: leaf.index, old: old, new: new))
        }
        return rotations
    }

    /// The latest signed checkpoint, opened with the keys in force at its size as the log's
    /// key history says, trusting `verifier` (any key of the chain); nil before the first.
    public func latestCheckpoint(trusting verifier: NoteVerifier) async throws -> (stored: StoredCheckpoint, checkpoint: Checkpoint)? {
        let stored = try await checkpoints()
        guard let latest = stored.max(by: { $0.size < $1.size }) else { return nil }
        let history = try AuditKeyHistory(trusted: verifier, rotations: try await auditKeyRotations())
        return (latest, try history.open(latest.note, sizes: stored.map(\.size)))
    }
}
