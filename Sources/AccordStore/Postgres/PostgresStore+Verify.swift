public import AccordAudit
import AccordPostgres

extension PostgresStore {
    /// Checkpoints read at once while verifying.
    static let checkpointPage = 4_096

    /// `AccordStorage.verifyLog` as `SQLiteStore.verifyLog` does it: leaves a page at a time,
    /// and checkpoints a page at a time just ahead of the leaves they cover, never all at once,
    /// since a year at the default interval is millions of them (docs/audit.md). Each row's
    /// search columns are derived again from its leaf and compared (`Summary.indexMismatches`).
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
        // Only the checkpoints signed before verification began, as on SQLite.
        let lastSequence = try await read("SELECT coalesce(max(seq), 0) FROM audit_checkpoint") { try $0.int(0) ?? 0 }.first ?? 0
        let limit = max(1, pageSize)
        var next: UInt64 = 0
        var checked: UInt64 = 0
        var mismatches: [IndexMismatch] = []
        var mismatchCount = 0
        var given: (size: Int64, sequence: Int64) = (-1, -1)
        func giveCheckpoints(upTo size: Int64) async throws(StoreError) {
            while true {
                let page = try await read("""
                    SELECT seq, note, size FROM audit_checkpoint WHERE (size, seq) > ($1, $2) AND size <= $3 AND seq <= $4
                    ORDER BY size, seq LIMIT \(Self.checkpointPage)
                    """, [.int(given.size), .int(given.sequence), .int(size), .int(lastSequence)]) { row in
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
            let page = try await indexedLeaves(in: next ..< next &+ limit)
            if page.isEmpty {
                // Checkpoints beyond the last leaf are the sign of a log cut short.
                try await giveCheckpoints(upTo: Int64.max)
                break
            }
            for (leaf, stored) in page {
                if verification.consume(index: leaf.index, leaf: leaf.bytes, storedHash: leaf.leafHash) != nil { return verification.finish() }
                if let mismatch = AuditIndexColumns.mismatch(at: leaf.index, leaf: leaf.bytes, stored: stored) {
                    mismatchCount += 1
                    if mismatches.count < IndexMismatch.reported { mismatches.append(mismatch) }
                }
            }
            checked += UInt64(page.count)
            next = page.last!.leaf.index + 1
            progress(checked, total)
        }
        let outcome = verification.finish()
        guard case .verified(var summary) = outcome else { return outcome }
        summary.indexMismatches = mismatches
        summary.indexMismatchCount = mismatchCount
        return .verified(summary)
    }

    /// The leaves of `range` with the search columns stored beside each.
    private func indexedLeaves(in range: Range<UInt64>) async throws(StoreError) -> [(leaf: StoredLeaf, columns: AuditIndexColumns)] {
        let bounds: [PGValue] = [.int(Int64(clamping: range.lowerBound)), .int(Int64(clamping: range.upperBound))]
        let rows = try await read("""
            SELECT idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id
            FROM audit_leaf WHERE idx >= $1 AND idx < $2 ORDER BY idx
            """, bounds) { row in
            (leaf: try PostgresRows.leaf(row), time: try PostgresRows.integer(row, "time_ms"), event: try PostgresRows.text(row, "event"),
             actor: try PostgresRows.text(row, "actor"), message: try row.string(row.column("message_id")),
             agreement: try row.string(row.column("agreement_id")))
        }
        guard !rows.isEmpty else { return [] }
        var parties: [UInt64: [String]] = [:]
        for (index, agency) in try await read("SELECT idx, agency FROM audit_party WHERE idx >= $1 AND idx < $2", bounds, { row in
            (UInt64(try PostgresRows.integer(row, "idx")), try PostgresRows.text(row, "agency"))
        }) { parties[index, default: []].append(agency) }
        var subjects: [UInt64: [AuditIndexColumns.Subject]] = [:]
        for (index, subject) in try await read("SELECT idx, type, hmac FROM audit_subject WHERE idx >= $1 AND idx < $2", bounds, { row in
            (UInt64(try PostgresRows.integer(row, "idx")), AuditIndexColumns.Subject(type: try PostgresRows.text(row, "type"), hmac: try PostgresRows.text(row, "hmac")))
        }) { subjects[index, default: []].append(subject) }
        return rows.map { row in
            (row.leaf, AuditIndexColumns(timeMilliseconds: row.time, event: row.event, actor: row.actor, messageID: row.message,
                                         agreementID: row.agreement, parties: parties[row.leaf.index] ?? [], subjects: subjects[row.leaf.index] ?? []))
        }
    }
}
