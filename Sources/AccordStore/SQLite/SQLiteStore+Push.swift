public import AccordCore
import AccordAudit
import Foundation
import GRDB

extension SQLiteStore {
    public func pushRecords(recipient: AgencyID) async throws(StoreError) -> [PushRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT push.* FROM push JOIN delivery ON delivery.id = push.delivery_id
                WHERE push.recipient = ? AND delivery.state IN ('pending', 'delivered')
                """, arguments: [recipient.rawValue]).map(Self.pushRecord)
        }
    }

    public func pushRecords(state: PushRecord.State, limit: Int) async throws(StoreError) -> [PushRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT push.* FROM push JOIN delivery ON delivery.id = push.delivery_id
                WHERE push.state = ? AND delivery.state IN ('pending', 'delivered')
                ORDER BY push.first_attempt_ms LIMIT ?
                """, arguments: [state.rawValue, limit]).map(Self.pushRecord)
        }
    }

    static func pushRecord(_ row: Row) -> PushRecord {
        PushRecord(
            deliveryID: row.id("delivery_id"), recipient: row.id("recipient"),
            state: PushRecord.State(rawValue: row["state"] as String) ?? .retrying,
            firstAttempt: AuditTime.date(milliseconds: row["first_attempt_ms"]),
            lastAttempt: AuditTime.date(milliseconds: row["last_attempt_ms"]), attempts: row["attempts"],
            nextAttempt: AuditTime.date(milliseconds: row["next_attempt_ms"]), lastFailure: row["last_failure"])
    }
}
