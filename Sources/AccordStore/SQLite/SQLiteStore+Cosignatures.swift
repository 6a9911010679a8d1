import AccordAudit
import Foundation
import GRDB

extension SQLiteStore {
    /// Written straight through GRDB's serial writer rather than the group-commit queue: one
    /// row per witness per checkpoint is rare, and no leaf or checkpoint depends on it.
    public func recordCosignature(_ cosignature: StoredCosignature) async throws(StoreError) {
        guard writable else { throw StoreError(.invalidRecord, "this store opened the database read-only; it cannot keep cosignatures") }
        do {
            try await database.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO checkpoint_cosignature (size, witness, signature_line, received_ms) VALUES (?, ?, ?, ?)
                    """, arguments: [Int64(cosignature.checkpointSize), cosignature.witness, cosignature.signatureLine,
                                     AuditTime.milliseconds(cosignature.receivedAt)])
            }
        } catch { throw BatchApplier.storeError(error) }
    }

    public func cosignatures(checkpointSize size: UInt64) async throws(StoreError) -> [StoredCosignature] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoint_cosignature WHERE size = ? ORDER BY witness", arguments: [Int64(size)]).map { row in
                StoredCosignature(checkpointSize: UInt64(row["size"] as Int64), witness: row["witness"], signatureLine: row["signature_line"],
                                  receivedAt: AuditTime.date(milliseconds: row["received_ms"]))
            }
        }
    }

    public func cosignedSizes(byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64] {
        guard !names.isEmpty else { return [] }
        return try await read { db in
            let marks = names.map { _ in "?" }.joined(separator: ",")
            return try Int64.fetchAll(db, sql: """
                SELECT size FROM checkpoint_cosignature WHERE witness IN (\(marks))
                GROUP BY size HAVING count(DISTINCT witness) >= ? ORDER BY size DESC LIMIT ?
                """, arguments: StatementArguments(names.map { $0 as any DatabaseValueConvertible } + [witnesses, limit])).map { UInt64($0) }
        }
    }

    public func cosignedSizes(above size: UInt64, byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64] {
        guard !names.isEmpty else { return [] }
        return try await read { db in
            let marks = names.map { _ in "?" }.joined(separator: ",")
            return try Int64.fetchAll(db, sql: """
                SELECT size FROM checkpoint_cosignature WHERE size > ? AND witness IN (\(marks))
                GROUP BY size HAVING count(DISTINCT witness) >= ? ORDER BY size LIMIT ?
                """, arguments: StatementArguments([Int64(clamping: size) as any DatabaseValueConvertible] + names.map { $0 as any DatabaseValueConvertible }
                                                    + [witnesses, limit])).map { UInt64($0) }
        }
    }

    public func checkpoint(size: UInt64) async throws(StoreError) -> StoredCheckpoint? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_checkpoint WHERE size = ? ORDER BY seq DESC LIMIT 1",
                             arguments: [Int64(size)]).map(Self.checkpoint)
        }
    }
}
