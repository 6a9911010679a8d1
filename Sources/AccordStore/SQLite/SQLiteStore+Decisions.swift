import AccordAudit
import AccordCore
public import Foundation
import GRDB

extension SQLiteStore {
    /// The decision leaves since `since`, grouped: SQLite parses each leaf once (one
    /// `json_extract` with every path) and Swift folds the million results into a hash table
    /// as they stream from a cursor, since SQLite's `GROUP BY` would sort them all first
    /// (docs/performance.md, "Agreement impact"). Leaves are not checked for canonical form
    /// here; that is `accord audit verify`'s work (docs/audit.md), and a replay reads names and
    /// paths only.
    public func recordedDecisions(since: Date) async throws(StoreError) -> [RecordedDecisionGroup] {
        let since = AuditTime.milliseconds(since)
        let rows = try await read { db in
            var groups: [Shape: (count: Int, first: Int64, last: Int64)] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT event, json_extract(CAST(leaf AS TEXT), '$.from', '$.to', '$.details.type', '$.details.purpose',
                           '$.details.classification', '$.details.stage', '$.agreement.id', '$.reason', '$.disclosed', '$.withheld'),
                       time_ms
                FROM audit_leaf WHERE time_ms >= ? AND event IN ('message.accepted', 'message.denied')
                """, arguments: [since])
            while let row = try cursor.next() {
                let time: Int64 = row[2]
                Self.fold(time, into: &groups[Shape(event: row[0], fields: row[1]), default: (0, time, time)])
            }
            return groups.map { ($0.key.event, $0.key.fields, $0.value.count, $0.value.first, $0.value.last) }
        }
        return rows.compactMap { event, shape, count, first, last in
            guard let event = AuditEvent(rawValue: event),
                  let fields = (try? JSONParser.parse(shape))?.arrayValue, fields.count == 10 else { return nil }
            func text(_ index: Int) -> String? { fields[index].stringValue }
            func list(_ index: Int) -> [String] { fields[index].arrayValue?.compactMap(\.stringValue) ?? [] }
            var details: [String: String] = [:]
            for (key, index) in [("type", 2), ("purpose", 3), ("classification", 4), ("stage", 5)] { details[key] = text(index) }
            let record = AuditRecord(
                event: event, time: AuditTime.date(milliseconds: first), actor: "", from: text(0).map(AgencyID.init(rawValue:)),
                to: list(1).map(AgencyID.init(rawValue:)), agreement: text(6).map { AgreementReference(id: AgreementID($0), versionDigest: "") }, disclosed: list(8), withheld: list(9),
                reason: text(7), details: details)
            guard let decision = RecordedDecision(record) else { return nil }
            return RecordedDecisionGroup(decision: decision, count: count, first: AuditTime.date(milliseconds: first),
                                         last: AuditTime.date(milliseconds: last))
        }
    }

    private static func fold(_ time: Int64, into group: inout (count: Int, first: Int64, last: Int64)) {
        group.count += 1
        group.first = min(group.first, time)
        group.last = max(group.last, time)
    }

    /// One decision leaf's event and the JSON array of the fields a replay reads.
    private struct Shape: Hashable {
        let event: String
        let fields: String
    }
}
