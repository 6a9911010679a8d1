import AccordAudit
import AccordPostgres
import Foundation
import GRDB

/// Copies a SQLite gateway database into an empty PostgreSQL one, rows as they are: the same
/// leaf indices, leaf bytes, checkpoints (with their sequence numbers), agreement set versions,
/// inbox sequences and deliveries, in one transaction, so that the copy is whole or absent.
/// The tree head is computed again from the leaf hashes as they are copied.
public enum PostgresImport {
    /// What was copied.
    public struct Summary: Sendable, Equatable {
        public let leaves: UInt64
        public let checkpoints: Int
        public let messages: Int
        public let deliveries: Int
    }

    public static func copy(sqlite path: String, to url: String) async throws(StoreError) -> Summary {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.databaseFailed, "no SQLite database at \(path)")
        }
        // Opening through the store brings the file's schema up to date first (to v7).
        _ = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: "migrate", signer: nil))
        let source: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.readonly = true
            source = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw BatchApplier.storeError(error)
        }
        do {
            let connection = try await PGConnection.connect(url)
            try await PostgresSchema.migrate(connection)
            return try await connection.transaction(attempts: 1) { transaction in
                try source.read { db in try copy(db, into: transaction) }
            }
        } catch {
            throw PostgresStore.storeError(error)
        }
    }

    private static func copy(_ db: Database, into transaction: PGTransaction) throws -> Summary {
        let existing = try transaction.execute("SELECT (SELECT count(*) FROM audit_leaf) + (SELECT count(*) FROM message)").rows.first?.int(0) ?? 0
        guard existing == 0 else {
            throw StoreError(.invalidRecord, "the PostgreSQL database already holds a gateway's log or messages; migrate into an empty database")
        }
        _ = try transaction.execute("LOCK TABLE tree_state IN EXCLUSIVE MODE")
        var head = TreeHead()
        let hasher = TreeHasher()
        let leaves = try Row.fetchCursor(db, sql: "SELECT idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id FROM audit_leaf ORDER BY idx")
        while let row = try leaves.next() {
            let index: Int64 = row["idx"]
            guard UInt64(index) == head.size else {
                throw StoreError(.corruptState, "leaf \(head.size) is missing from the SQLite log; run `accord audit verify` on it first")
            }
            let hash = [UInt8](row["leaf_hash"] as Data)
            _ = try transaction.execute(PostgresStatements.leaf, [
                .int(index), .bytes([UInt8](row["leaf"] as Data)), .bytes(hash), .int(row["time_ms"]), .text(row["event"]), .text(row["actor"]),
                text(row["message_id"]), text(row["agreement_id"]),
            ])
            head.append(leafHash: hash, using: hasher)
        }
        for row in try Row.fetchAll(db, sql: "SELECT idx, agency FROM audit_party ORDER BY idx") {
            _ = try transaction.execute(PostgresStatements.party, [.int(row["idx"]), .text(row["agency"])])
        }
        for row in try Row.fetchAll(db, sql: "SELECT idx, type, hmac FROM audit_subject ORDER BY idx") {
            _ = try transaction.execute(PostgresStatements.subject, [.int(row["idx"]), .text(row["type"]), .text(row["hmac"])])
        }
        let checkpoints = try Row.fetchAll(db, sql: "SELECT seq, size, root, note, created_ms FROM audit_checkpoint ORDER BY seq")
        for row in checkpoints {
            _ = try transaction.execute("""
                INSERT INTO audit_checkpoint (seq, size, root, note, created_ms) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)
                """, [.int(row["seq"]), .int(row["size"]), .bytes([UInt8](row["root"] as Data)), .text(row["note"]), .int(row["created_ms"])])
        }
        let messages = try Row.fetchAll(db, sql: "SELECT * FROM message ORDER BY received_ms, id")
        for row in messages {
            _ = try transaction.execute("""
                INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms, purged_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [.text(row["id"]), .text(row["sender"]), text(row["sd_jwt"]), .text(row["submission_digest"]), .int(row["received_ms"]),
                      .int(row["retain_until_ms"]), integer(row["purged_ms"])])
        }
        let deliveries = try Row.fetchAll(db, sql: "SELECT * FROM delivery ORDER BY rowid")
        let envelope = EnvelopeColumns.names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for row in deliveries {
            let values: [PGValue] = [.text(row["id"]), .text(row["message_id"]), .text(row["recipient"]), .text(row["state"]), .int(row["attempts"]),
                                     .int(row["updated_ms"]), integer(row["available_seq"])]
                + envelope.map { $0 == "received_ms" ? integer(row[$0]) : text(row[$0]) }
            _ = try transaction.execute("""
                INSERT INTO delivery (id, message_id, recipient, state, attempts, updated_ms, available_seq, \(EnvelopeColumns.names))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                """, values)
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM agreement_set ORDER BY version") {
            _ = try transaction.execute("""
                INSERT INTO agreement_set (version, digest, content, activated_by, activated_ms, audit_leaf) OVERRIDING SYSTEM VALUE
                VALUES ($1, $2, $3, $4, $5, $6)
                """, [.int(row["version"]), .text(row["digest"]), .bytes([UInt8](row["content"] as Data)), .text(row["activated_by"]),
                      .int(row["activated_ms"]), integer(row["audit_leaf"])])
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM push") {
            _ = try transaction.execute(PostgresStatements.push, [
                .text(row["delivery_id"]), .text(row["recipient"]), .text(row["state"]), .int(row["first_attempt_ms"]),
                .int(row["last_attempt_ms"]), .int(row["attempts"]), .int(row["next_attempt_ms"]), text(row["last_failure"]),
            ])
        }
        let inbox = try Int64.fetchOne(db, sql: "SELECT value FROM inbox_sequence WHERE id = 1") ?? 0
        _ = try transaction.execute(PostgresStatements.saveTree, [.int(Int64(head.size)), .bytes(Array(head.edge.joined())), .int(inbox)])
        // The identities continue above the copied rows.
        _ = try transaction.execute("SELECT setval(pg_get_serial_sequence('audit_checkpoint', 'seq'), coalesce((SELECT max(seq) FROM audit_checkpoint), 0) + 1, false)")
        _ = try transaction.execute("SELECT setval(pg_get_serial_sequence('agreement_set', 'version'), coalesce((SELECT max(version) FROM agreement_set), 0) + 1, false)")
        return Summary(leaves: head.size, checkpoints: checkpoints.count, messages: messages.count, deliveries: deliveries.count)
    }

    private static func text(_ value: String?) -> PGValue { value.map(PGValue.text) ?? .null }
    private static func integer(_ value: Int64?) -> PGValue { value.map(PGValue.int) ?? .null }
}
