public import AccordAudit
import AccordPostgres

extension PostgresStore {
    /// Checkpoints read at once while verifying.
    static let checkpointPage = 4_096

    /// `AccordStorage.verifyLog` as `SQLiteStore.verifyLog` does it: leaves a page at a time,
    /// and checkpoints a page at a time just ahead of the leaves they cover, never all at once,
    /// since a year at the default interval is millions of them (docs/audit.md).
    public func verifyLog(
        origin: String, verifier: NoteVerifier, pageSize: UInt64 = 20_000,
        progress: (_ checked: UInt64, _ total: UInt64) -> Void = { _, _ in }
    ) async throws(StoreError) -> LogVerifier.Outcome {
        let rotations = try await auditKeyRotations()
        var verification: LogVerifier
        do throws(AuditError) {
            verification = LogVerifier(origin: origin, history: try AuditKeyHistory(trusted: verifier, rotations: rotations))
        } catch {
            verification = LogVerifier(failed: .keyHistory(reason: error.description))
        }
        let total = try await leafCount()
        let limit = max(1, pageSize)
        var next: UInt64 = 0
        var checked: UInt64 = 0
        var given: (size: Int64, sequence: Int64) = (-1, -1)
        func giveCheckpoints(upTo size: Int64) async throws(StoreError) {
            while true {
                let page = try await read("""
                    SELECT seq, note, size FROM audit_checkpoint WHERE (size, seq) > ($1, $2) AND size <= $3
                    ORDER BY size, seq LIMIT \(Self.checkpointPage)
                    """, [.int(given.size), .int(given.sequence), .int(size)]) { row in
                    (size: try PostgresRows.integer(row, "size"),
                     checkpoint: LogVerifier.StoredCheckpoint(sequence: try PostgresRows.integer(row, "seq"), note: try PostgresRows.text(row, "note")))
                }
                guard let last = page.last else { return }
                verification.add(page.map(\.checkpoint))
                given = (last.size, last.checkpoint.sequence)
                if page.count < Self.checkpointPage { return }
            }
        }
        while true {
            if Task.isCancelled { throw StoreError(.shuttingDown, "verification cancelled after \(checked) leaves") }
            try await giveCheckpoints(upTo: Int64(clamping: next &+ limit))
            let page = try await leaves(in: next ..< next &+ limit)
            if page.isEmpty {
                // Checkpoints beyond the last leaf are the sign of a log cut short.
                try await giveCheckpoints(upTo: Int64.max)
                break
            }
            for leaf in page {
                if verification.consume(index: leaf.index, leaf: leaf.bytes, storedHash: leaf.leafHash) != nil { return verification.finish() }
            }
            checked += UInt64(page.count)
            next = page.last!.index + 1
            progress(checked, total)
        }
        return verification.finish()
    }
}
