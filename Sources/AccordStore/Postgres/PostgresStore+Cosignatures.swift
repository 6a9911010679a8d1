import AccordAudit
import AccordPostgres
import Foundation

extension PostgresStore {
    /// Written straight to the database rather than through the writer: one row per witness per
    /// checkpoint is rare, and no leaf or checkpoint depends on it. Any node may record one.
    public func recordCosignature(_ cosignature: StoredCosignature) async throws(StoreError) {
        guard writable else { throw StoreError(.invalidRecord, "this store opened the database read-only; it cannot keep cosignatures") }
        do {
            _ = try await pool.execute("""
                INSERT INTO checkpoint_cosignature (size, witness, signature_line, received_ms) VALUES ($1, $2, $3, $4)
                ON CONFLICT (size, witness) DO UPDATE SET signature_line = excluded.signature_line, received_ms = excluded.received_ms
                """, [.int(Int64(clamping: cosignature.checkpointSize)), .text(cosignature.witness), .text(cosignature.signatureLine),
                      .int(AuditTime.milliseconds(cosignature.receivedAt))])
        } catch {
            throw Self.storeError(error)
        }
    }

    public func cosignatures(checkpointSize size: UInt64) async throws(StoreError) -> [StoredCosignature] {
        try await read("SELECT * FROM checkpoint_cosignature WHERE size = $1 ORDER BY witness", [.int(Int64(clamping: size))]) { row in
            StoredCosignature(checkpointSize: UInt64(try PostgresRows.integer(row, "size")), witness: try PostgresRows.text(row, "witness"),
                              signatureLine: try PostgresRows.text(row, "signature_line"),
                              receivedAt: AuditTime.date(milliseconds: try PostgresRows.integer(row, "received_ms")))
        }
    }

    public func cosignedSizes(byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64] {
        guard !names.isEmpty else { return [] }
        let marks = (3 ..< 3 + names.count).map { "$\($0)" }.joined(separator: ", ")
        return try await read("""
            SELECT size FROM checkpoint_cosignature WHERE witness IN (\(marks))
            GROUP BY size HAVING count(DISTINCT witness) >= $1 ORDER BY size DESC LIMIT $2
            """, [.int(Int64(witnesses)), .int(Int64(limit))] + names.map { PGValue.text($0) }) { row in
            UInt64(try PostgresRows.integer(row, "size"))
        }
    }

    public func cosignedSizes(above size: UInt64, byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64] {
        guard !names.isEmpty else { return [] }
        let marks = (4 ..< 4 + names.count).map { "$\($0)" }.joined(separator: ", ")
        return try await read("""
            SELECT size FROM checkpoint_cosignature WHERE size > $1 AND witness IN (\(marks))
            GROUP BY size HAVING count(DISTINCT witness) >= $2 ORDER BY size LIMIT $3
            """, [.int(Int64(clamping: size)), .int(Int64(witnesses)), .int(Int64(limit))] + names.map { PGValue.text($0) }) { row in
            UInt64(try PostgresRows.integer(row, "size"))
        }
    }

    public func checkpoint(size: UInt64) async throws(StoreError) -> StoredCheckpoint? {
        try await read("SELECT * FROM audit_checkpoint WHERE size = $1 ORDER BY seq DESC LIMIT 1", [.int(Int64(clamping: size))],
                       PostgresRows.checkpoint).first
    }
}
