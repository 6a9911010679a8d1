import AccordAudit
import AccordCore
public import Foundation
import GRDB

extension SQLiteStore {
    /// The decision leaves since `since`, grouped by SQLite itself: one `json_extract` with
    /// every path parses each leaf once, and `GROUP BY` folds a million of them without Swift
    /// decoding one. Leaves are not checked for canonical form here; that is `accord audit
    /// verify`'s work (docs/audit.md), and a replay reads names and paths only.
    public func recordedDecisions(since: Date) async throws(StoreError) -> [RecordedDecisionGroup] {
        let since = AuditTime.milliseconds(since)
        let rows = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT event, json_extract(CAST(leaf AS TEXT), '$.from', '$.to', '$.details.type', '$.details.purpose',
                           '$.details.classification', '$.details.stage', '$.agreement.id', '$.reason', '$.disclosed', '$.withheld') AS shape,
                       count(*) AS n, min(time_ms) AS first, max(time_ms) AS last
                FROM audit_leaf WHERE time_ms >= ? AND event IN ('message.accepted', 'message.denied')
                GROUP BY event, shape
                """, arguments: [since]).map { row -> (String, String, Int, Int64, Int64) in
                (row["event"], row["shape"], row["n"], row["first"], row["last"])
            }
        }
        return rows.compactMap { event, shape, count, first, last in
            guard let event = AuditEvent(rawValue: event),
                  let fields = (try? JSONParser.parse(shape))?.arrayValue, fields.count == 10 else { return nil }
            func text(_ index: Int) -> String? { fields[index].stringValue }
            func list(_ index: Int) -> [String] { fields[index].arrayValue?.compactMap(\.stringValue) ?? [] }
            var details: [String: String] = [:]
            for (key, index) in [("type", 2), ("purpose", 3), ("classification", 4), ("stage", 5)] { details[key] = text(index) }
            let record = AuditRecord(
                event: event, time: AuditTime.date(milliseconds: first), actor: "", from: text(0), to: list(1),
                agreement: text(6).map { AgreementReference(id: $0, versionDigest: "") }, disclosed: list(8), withheld: list(9),
                reason: text(7), details: details)
            guard let decision = RecordedDecision(record) else { return nil }
            return RecordedDecisionGroup(decision: decision, count: count, first: AuditTime.date(milliseconds: first),
                                         last: AuditTime.date(milliseconds: last))
        }
    }
}
