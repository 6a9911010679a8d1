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
    /// Reads the latest checkpoint and, per rotation, the first checkpoint after it (the one
    /// both keys sign): a few rows, however many checkpoints the log holds.
    public func latestCheckpoint(trusting verifier: NoteVerifier) async throws -> (stored: StoredCheckpoint, checkpoint: Checkpoint)? {
        guard let latest = try await latestCheckpoint() else { return nil }
        let rotations = try await auditKeyRotations()
        let history = try AuditKeyHistory(trusted: verifier, rotations: rotations)
        var sizes = [latest.size]
        for rotation in rotations {
            if let overlap = try await firstCheckpoint(covering: rotation.leafIndex) { sizes.append(overlap.size) }
        }
        return (latest, try history.open(latest.note, sizes: sizes))
    }
}
