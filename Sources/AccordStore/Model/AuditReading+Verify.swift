public import AccordAudit

extension AuditReading {
    /// Verifies the whole stored log (see `LogVerifier`), reading leaves a page at a time and
    /// reporting how many were checked so far.
    public func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64 = 20_000,
        progress: (_ checked: UInt64, _ total: UInt64) -> Void = { _, _ in }
    ) async throws(StoreError) -> LogVerifier.Outcome {
        let stored = try await checkpoints()
        var verification = LogVerifier(origin: origin, verifier: verifier,
                                       checkpoints: stored.map { .init(sequence: $0.sequence, note: $0.note) })
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
