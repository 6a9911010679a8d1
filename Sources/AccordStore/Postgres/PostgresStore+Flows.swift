import AccordAudit
import AccordPostgres
public import Foundation

extension PostgresStore {
    /// Counts the flows view in PostgreSQL, as SQLite does (`SQLiteStore.deliveryFlows`): a
    /// window marks each delivery's first pick-up in the period, and one statement groups them
    /// per flow and per day; the work and its sorts stay in the database.
    public func deliveryFlows(from firstDay: Date, days: Int) async throws(StoreError) -> DeliveryFlows {
        let start = AuditTime.milliseconds(firstDay)
        let end = start + Int64(max(0, days)) * DeliveryFlows.dayMilliseconds
        let marked = """
            WITH picked AS (
                SELECT idx, actor, convert_from(leaf, 'UTF8')::jsonb AS leaf, (time_ms - $1) / \(DeliveryFlows.dayMilliseconds) AS day
                FROM audit_leaf WHERE event = 'message.delivered' AND time_ms >= $1 AND time_ms < $2
            ), marked AS (
                SELECT day, leaf, coalesce(leaf->>'from', actor) AS sender,
                       coalesce(leaf->'details'->>'type', '—') AS type,
                       coalesce(leaf->'agreement'->>'id', '—') AS agreement,
                       CASE WHEN leaf->>'delivery_id' IS NULL THEN 1
                            WHEN idx = min(idx) OVER (PARTITION BY leaf->>'delivery_id') THEN 1
                            ELSE 0 END AS first
                FROM picked
            )
            """
        // One statement: under READ COMMITTED each statement sees one snapshot, so the counts
        // per flow and per day are of the same leaves.
        let rows = try await read(marked + """
            SELECT 'flow' AS kind, marked.sender, coalesce(recipient.value, '—') AS recipient, marked.type, marked.agreement, NULL::bigint AS day,
                   sum(marked.first) AS deliveries, count(*) AS pick_ups, count(DISTINCT CASE WHEN marked.first = 1 THEN marked.day END) AS days
            FROM marked LEFT JOIN LATERAL jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(marked.leaf->'to') = 'array' THEN marked.leaf->'to' ELSE '[]'::jsonb END
            ) AS recipient(value) ON true
            GROUP BY marked.sender, recipient.value, marked.type, marked.agreement
            UNION ALL
            SELECT 'day', NULL, NULL, NULL, NULL, day, sum(first), count(*), NULL FROM marked GROUP BY day
            """, [.int(start), .int(end)]) { row in row }
        var flows: [DeliveryFlows.Flow] = []
        var perDay = [Int](repeating: 0, count: max(0, days))
        var deliveries = 0
        var pickUps = 0
        do {
            for row in rows {
                let count = Int(try PostgresRows.integer(row, "deliveries"))
                let picked = Int(try PostgresRows.integer(row, "pick_ups"))
                if try PostgresRows.text(row, "kind") == "flow" {
                    flows.append(DeliveryFlows.Flow(
                        from: try PostgresRows.text(row, "sender"), to: try PostgresRows.text(row, "recipient"),
                        type: try PostgresRows.text(row, "type"), agreement: try PostgresRows.text(row, "agreement"),
                        deliveries: count, pickUps: picked, days: Int(try PostgresRows.integer(row, "days"))))
                } else {
                    let day = Int(try PostgresRows.integer(row, "day"))
                    if perDay.indices.contains(day) { perDay[day] = count }
                    deliveries += count
                    pickUps += picked
                }
            }
        } catch {
            throw Self.storeError(error)
        }
        return DeliveryFlows(flows: flows.sorted(by: DeliveryFlows.precedes), perDay: perDay, deliveries: deliveries, pickUps: pickUps)
    }
}
