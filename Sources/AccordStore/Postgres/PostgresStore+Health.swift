public import AccordAudit
import AccordPostgres
import Foundation
import Synchronization

extension PostgresStore {
    /// Three indexed reads, as `SQLiteStore.checkpointStatus`.
    public func checkpointStatus() async throws(StoreError) -> CheckpointStatus {
        let leaves = UInt64(try await read("SELECT size FROM tree_state WHERE id = 1") { try $0.int(0) ?? 0 }.first ?? 0)
        let last = try await latestCheckpoint()
        let covered = last?.size ?? 0
        var firstUncovered: Date?
        if covered < leaves, let time = try await read("SELECT time_ms FROM audit_leaf WHERE idx = $1", [.int(Int64(covered))], { try $0.int(0) }).first ?? nil {
            firstUncovered = AuditTime.date(milliseconds: time)
        }
        return CheckpointStatus(leaves: leaves, checkpointedLeaves: covered, lastCheckpoint: last?.createdAt, firstUncoveredLeaf: firstUncovered)
    }

    public func deliveryCount(in state: DeliveryState) async throws(StoreError) -> Int {
        Int(try await read("SELECT count(*) FROM delivery WHERE state = $1", [.text(state.rawValue)]) { try $0.int(0) ?? 0 }.first ?? 0)
    }

    /// Whether the database takes writes, without writing: the writer's last transaction, then a
    /// read on the pool, and whether the server is a primary (a standby refuses writes).
    public func databaseHealth() async -> DatabaseHealth {
        guard writable else { return DatabaseHealth(problem: "opened for reading only") }
        if let failure = lastWriteFailure.withLock({ $0 }) {
            return DatabaseHealth(problem: "the last write failed (\(failure.code.rawValue))")
        }
        do {
            let standby = try await read("SELECT pg_is_in_recovery()") { try $0.bool(0) ?? false }.first ?? false
            if standby { return DatabaseHealth(problem: "the PostgreSQL server is a standby and refuses writes") }
        } catch {
            return DatabaseHealth(problem: "the database does not answer (\(error.code.rawValue))")
        }
        return DatabaseHealth(problem: nil)
    }

    /// `tree_state.audit_key`: set by a rotation, so that a node still holding the old key
    /// neither signs nor takes the checkpoint lease.
    public func auditKeyInForce() async throws(StoreError) -> String? {
        try await read("SELECT audit_key FROM tree_state WHERE id = 1") { try $0.string(0) }.first ?? nil
    }

    /// The key this node signs with: the one it started with until a rotation.
    public var currentAuditVerifier: NoteVerifier? { auditSigner.withLock { $0?.verifier } }

    /// Hands checkpoint signing over to `signer` for every node: appends `record` (an
    /// `audit.key_rotated` leaf) under a checkpoint signed by the old and the new key, and names
    /// the new key in the database so that nodes still holding the old one stop signing. When
    /// another node (or `accord keys rotate audit`) has recorded this rotation already, this
    /// node only takes the new key up, and the result names that rotation.
    public func rotateAuditKey(to signer: NoteSigner, record: AuditRecord) async throws(StoreError) -> (leaf: UInt64, checkpoint: StoredCheckpoint) {
        try await writeQueue().rotateAuditKey(to: signer, record: record)
    }
}
