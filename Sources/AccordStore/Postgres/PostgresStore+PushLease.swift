public import AccordCore
import AccordPostgres

extension PostgresStore {
    /// How long a push lease lasts after its last renewal. Push workers renew every 2 s, also
    /// while a POST is in flight, so a live holder keeps its recipient; a node that dies is
    /// replaced within 8 s (docs/operations.md, "PostgreSQL").
    static let pushLeaseDuration: Duration = .seconds(6)

    /// Takes `recipient`'s push lease when it is free or expired, or renews it when this node
    /// holds it; expiry is judged by the database's clock, the one every node shares.
    public func claimPushLease(recipient: AgencyID) async throws(StoreError) -> Bool {
        guard writable else { return false }
        let seconds = Int64(Self.pushLeaseDuration.components.seconds)
        let rows = try await read("""
            INSERT INTO push_lease (recipient, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision))
            ON CONFLICT (recipient) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE push_lease.holder = excluded.holder OR push_lease.expires_at < now()
            RETURNING holder
            """, [.id(recipient), .text(lease.node), .int(seconds)]) { try $0.string(0) }
        return !rows.isEmpty
    }

    /// Gives up every push lease this node holds, at shutdown, so that another node takes its
    /// recipients at its next renewal rather than at expiry.
    func releasePushLeases() async {
        _ = try? await pool.execute("UPDATE push_lease SET expires_at = '-infinity' WHERE holder = $1", [.text(lease.node)])
    }
}
