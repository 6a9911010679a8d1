public import AccordAudit
import Foundation
import GRDB

extension SQLiteStore {
    /// `AccordStorage.verifyLog`, reading leaves a page at a time into one buffer per page
    /// rather than two arrays per leaf, and hashing them in place. Each row's search columns
    /// are derived again from its leaf and compared (`Summary.indexMismatches`).
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
        // The checkpoints signed before verification began, and no later one: a checkpoint a
        // running gateway signs meanwhile may cover leaves already checked, and would read as
        // out of order (docs/audit.md).
        let lastSequence = try await read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM audit_checkpoint") ?? 0 }
        let limit = Int64(clamping: max(1, pageSize))
        var next: Int64 = 0
        var checked: UInt64 = 0
        var mismatches: [IndexMismatch] = []
        var mismatchCount = 0
        // Checkpoints are read a page at a time just ahead of the leaves they cover, never all
        // at once: a year at the default interval is millions of them (docs/audit.md).
        var given: (size: Int64, sequence: Int64) = (-1, -1)
        func giveCheckpoints(upTo size: Int64) async throws(StoreError) {
            while true {
                let after = given
                let page = try await read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT seq, note, size FROM audit_checkpoint WHERE (size, seq) > (?, ?) AND size <= ? AND seq <= ?
                        ORDER BY size, seq LIMIT \(Self.checkpointPage)
                        """, arguments: [after.size, after.sequence, size, lastSequence]).map { row -> (Int64, LogVerifier.StoredCheckpoint) in
                        (row["size"], LogVerifier.StoredCheckpoint(sequence: row["seq"], note: row["note"]))
                    }
                }
                guard let last = page.last else { return }
                verification.add(page.map(\.1))
                given = (last.0, last.1.sequence)
                if page.count < Self.checkpointPage { return }
            }
        }
        while true {
            if Task.isCancelled { throw StoreError(.shuttingDown, "verification cancelled after \(checked) leaves") }
            let from = next
            try await giveCheckpoints(upTo: from + limit)
            let page = try await read { db in try LeafPage(db, from: from, limit: limit) }
            if page.indexes.isEmpty {
                // Checkpoints beyond the last leaf are the sign of a log cut short.
                try await giveCheckpoints(upTo: Int64.max)
                break
            }
            for position in page.indexes.indices {
                let diverged = page.withLeaf(at: position) { leaf, hash in
                    verification.consume(index: page.indexes[position], leaf: leaf, storedHash: hash)
                }
                if diverged != nil { return verification.finish() }
                if let mismatch = page.indexMismatch(at: position) {
                    mismatchCount += 1
                    if mismatches.count < IndexMismatch.reported { mismatches.append(mismatch) }
                }
            }
            checked += UInt64(page.indexes.count)
            next = Int64(page.indexes.last!) + 1
            progress(checked, total)
        }
        let outcome = verification.finish()
        guard case .verified(var summary) = outcome else { return outcome }
        summary.indexMismatches = mismatches
        summary.indexMismatchCount = mismatchCount
        return .verified(summary)
    }
}

extension SQLiteStore {
    /// Checkpoints read at once while verifying.
    static let checkpointPage = 4_096
}

/// Consecutive stored leaves, their bytes and hashes packed into two buffers, with the
/// search columns stored beside each.
struct LeafPage: Sendable {
    private(set) var indexes: [UInt64] = []
    private var leaves: [UInt8] = []
    private var leafEnds: [Int] = []
    private var hashes: [UInt8] = []
    private var hashEnds: [Int] = []
    private var columns: [AuditIndexColumns] = []

    init(_ db: Database, from: Int64, limit: Int64) throws {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id
            FROM audit_leaf WHERE idx >= ? ORDER BY idx LIMIT ?
            """, arguments: [from, limit])
        var rows: [(Int64, time: Int64, event: String, actor: String, message: String?, agreement: String?)] = []
        indexes.reserveCapacity(Int(limit))
        leafEnds.reserveCapacity(Int(limit))
        hashEnds.reserveCapacity(Int(limit))
        hashes.reserveCapacity(32 * Int(limit))
        while let row = try cursor.next() {
            let index: Int64 = row[0]
            indexes.append(UInt64(index))
            try row.withUnsafeData(atIndex: 1) { data in
                if let data { leaves.append(contentsOf: data) }
            }
            leafEnds.append(leaves.count)
            try row.withUnsafeData(atIndex: 2) { data in
                if let data { hashes.append(contentsOf: data) }
            }
            hashEnds.append(hashes.count)
            rows.append((index, row[3], row[4], row[5], row[6], row[7]))
        }
        guard let first = indexes.first, let last = indexes.last else { return }
        var parties: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT idx, agency FROM audit_party WHERE idx BETWEEN ? AND ?", arguments: [first, last]) {
            parties[row[0], default: []].append(row[1])
        }
        var subjects: [Int64: [AuditIndexColumns.Subject]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT idx, type, hmac FROM audit_subject WHERE idx BETWEEN ? AND ?", arguments: [first, last]) {
            subjects[row[0], default: []].append(AuditIndexColumns.Subject(type: row[1], hmac: row[2]))
        }
        columns = rows.map { row in
            AuditIndexColumns(timeMilliseconds: row.time, event: row.event, actor: row.actor, messageID: row.message,
                              agreementID: row.agreement, parties: parties[row.0] ?? [], subjects: subjects[row.0] ?? [])
        }
    }

    /// Where the stored columns of the leaf at `position` differ from those its leaf gives.
    func indexMismatch(at position: Int) -> IndexMismatch? {
        let leafStart = position == 0 ? 0 : leafEnds[position - 1]
        return AuditIndexColumns.mismatch(at: indexes[position], leaf: Array(leaves[leafStart ..< leafEnds[position]]), stored: columns[position])
    }

    func withLeaf<R>(at position: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        let leafStart = position == 0 ? 0 : leafEnds[position - 1]
        let hashStart = position == 0 ? 0 : hashEnds[position - 1]
        return leaves.withUnsafeBytes { leaves in
            hashes.withUnsafeBytes { hashes in
                body(UnsafeRawBufferPointer(rebasing: leaves[leafStart ..< leafEnds[position]]),
                     UnsafeRawBufferPointer(rebasing: hashes[hashStart ..< hashEnds[position]]))
            }
        }
    }
}
