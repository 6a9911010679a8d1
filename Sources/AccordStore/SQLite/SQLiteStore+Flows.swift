import AccordAudit
public import Foundation
import GRDB

extension SQLiteStore {
    /// Counts the flows view in SQLite: a window over the period's `message.delivered` leaves
    /// marks each delivery's first pick-up, and one statement groups them per flow and per day. The sorts behind the window and the groups spill to SQLite's temporary store,
    /// so a year of traffic costs time, not memory (docs/performance.md, "Console").
    public func deliveryFlows(from firstDay: Date, days: Int) async throws(StoreError) -> DeliveryFlows {
        let start = AuditTime.milliseconds(firstDay)
        let end = start + Int64(max(0, days)) * DeliveryFlows.dayMilliseconds
        return try await read { db in
            let marked = """
                WITH picked AS (
                    SELECT idx, actor, CAST(leaf AS TEXT) AS leaf, (time_ms - :start) / \(DeliveryFlows.dayMilliseconds) AS day
                    FROM audit_leaf WHERE event = 'message.delivered' AND time_ms >= :start AND time_ms < :end
                ), marked AS (
                    SELECT day, leaf, coalesce(json_extract(leaf, '$.from'), actor) AS sender,
                           coalesce(json_extract(leaf, '$.details.type'), '—') AS type,
                           coalesce(json_extract(leaf, '$.agreement.id'), '—') AS agreement,
                           CASE WHEN json_extract(leaf, '$.delivery_id') IS NULL THEN 1
                                WHEN idx = min(idx) OVER (PARTITION BY json_extract(leaf, '$.delivery_id')) THEN 1
                                ELSE 0 END AS first
                    FROM picked
                )
                """
            var flows: [DeliveryFlows.Flow] = []
            var perDay = [Int](repeating: 0, count: max(0, days))
            var deliveries = 0
            var pickUps = 0
            // One statement, so the counts per flow and per day are of the same leaves.
            for row in try Row.fetchAll(db, sql: marked + """
                SELECT 'flow' AS kind, marked.sender, coalesce(recipient.value, '—') AS recipient, marked.type, marked.agreement, NULL AS day,
                       sum(marked.first) AS deliveries, count(*) AS pick_ups, count(DISTINCT CASE WHEN marked.first = 1 THEN marked.day END) AS days
                FROM marked LEFT JOIN json_each(marked.leaf, '$.to') AS recipient
                GROUP BY marked.sender, recipient.value, marked.type, marked.agreement
                UNION ALL
                SELECT 'day', NULL, NULL, NULL, NULL, day, sum(first), count(*), NULL FROM marked GROUP BY day
                """, arguments: ["start": start, "end": end]) {
                if row["kind"] == "flow" {
                    flows.append(DeliveryFlows.Flow(from: row["sender"], to: row["recipient"], type: row["type"], agreement: row["agreement"],
                                                    deliveries: row["deliveries"], pickUps: row["pick_ups"], days: row["days"]))
                } else {
                    let day: Int = row["day"]
                    let count: Int = row["deliveries"]
                    if perDay.indices.contains(day) { perDay[day] = count }
                    deliveries += count
                    pickUps += row["pick_ups"] as Int
                }
            }
            return DeliveryFlows(flows: flows.sorted(by: DeliveryFlows.precedes), perDay: perDay, deliveries: deliveries, pickUps: pickUps)
        }
    }
}
