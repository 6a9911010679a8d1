public import AccordAudit

extension AuditReading {
    /// Verifies the whole stored log (see `LogVerifier`), reading leaves a page at a time and
    /// reporting how many were checked so far.
    public func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64 = 20_000,
        progress: (_ checked: UInt64, _ total: UInt64) -> Void = { _, _ in }
    ) async throws(StoreError) -> LogVerifier.Outcome {
        let stored = try await checkpoints()
        let rotations = try await auditKeyRotations()
        // The key rotations recorded in the log, as every verifier follows them: without them a
        // log whose audit key was rotated would not verify here (docs/audit.md).
        var verification: LogVerifier
        do throws(AuditError) {
            verification = LogVerifier(origin: origin, history: try AuditKeyHistory(trusted: verifier, rotations: rotations),
                                       checkpoints: stored.map { .init(sequence: $0.sequence, note: $0.note) })
        } catch {
            verification = LogVerifier(failed: .keyHistory(reason: error.description))
        }
        let maximumIndex = try await leafCount()
        var next: UInt64 = 0
        var checked: UInt64 = 0
        while true {
            if Task.isCancelled { throw StoreError(.shuttingDown, "verification cancelled after \(checked) leaves") }
            let page = try await leaves(in: next ..< next &+ pageSize)
            if page.isEmpty { break }
            for leaf in page {
                if verification.consume(index: leaf.index, leaf: leaf.bytes, storedHash: leaf.leafHash) != nil {
                    return verification.finish()
                }
            }
            checked += UInt64(page.count)
            next = page.last!.index + 1
            progress(checked, maximumIndex)
        }
        return verification.finish()
    }
}
