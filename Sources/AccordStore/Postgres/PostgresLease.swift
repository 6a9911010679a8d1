import AccordPostgres
import Synchronization

/// The checkpoint lease: one row naming the node that signs checkpoints and until when. The
/// holder renews it every `renewal`; a node finds it expired `duration` after the holder's last
/// renewal and takes it, so a dead holder is replaced within `duration + renewal` (8 s, inside
/// the 10 s docs/operations.md promises). Expiry is judged by the database's clock, the one
/// clock every node shares. The write transaction checks the row again before it signs, so a
/// node whose lease ran out while it was paused signs nothing.
final class PostgresLease: Sendable {
    static let duration: Duration = .seconds(6)
    static let renewal: Duration = .seconds(2)

    enum Outcome: Sendable {
        /// This node held the lease and still does.
        case kept
        /// This node has just taken the lease (first, or over from a node that stopped renewing).
        case taken
        /// Another node holds it.
        case lost
    }

    let node: String
    private let held = Mutex(false)

    init(node: String) {
        self.node = node
    }

    var isHeld: Bool { held.withLock { $0 } }

    /// Renews the lease, or takes it when it is free or expired; only while `key` (this node's
    /// verifier key) is the audit key in force, so that after a rotation a node still holding
    /// the old key lets the lease run out and a node with the new key signs.
    func renew(_ connection: PGConnection, key: String?) async throws -> Outcome {
        let seconds = Int64(Self.duration.components.seconds)
        let result = try await connection.execute("""
            UPDATE checkpoint_lease SET holder = $1, expires_at = now() + make_interval(secs => $2::double precision)
            WHERE id = 1 AND (holder = $1 OR expires_at < now())
              AND coalesce((SELECT audit_key FROM tree_state WHERE id = 1), $3) = $3 RETURNING holder
            """, [.text(node), .int(seconds), key.map(PGValue.text) ?? .null])
        let holds = !result.rows.isEmpty
        let before = held.withLock { state in
            let before = state
            state = holds
            return before
        }
        if !holds { return .lost }
        return before ? .kept : .taken
    }

    /// Gives the lease up at shutdown so that another node takes it at its next renewal.
    func release(_ connection: PGConnection) async throws {
        _ = try await connection.execute("UPDATE checkpoint_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = $1", [.text(node)])
        held.withLock { $0 = false }
    }

    /// What a write transaction found: whether the row named this node, unexpired.
    func note(confirmed: Bool?) {
        guard let confirmed, !confirmed else { return }
        held.withLock { $0 = false }
    }
}
