import AccordAudit
import Foundation
import GRDB

extension SQLiteStore {
    /// Streams the decision leaves since `since` through a cursor, so that a million of them
    /// are folded into groups without being held at once.
    func groupedDecisions(since: Date) async throws(StoreError) -> [RecordedDecisionGroup] {
        let since = AuditTime.milliseconds(since)
        let result: Result<[RecordedDecisionGroup], StoreError> = try await read { db in
            var grouping = DecisionGrouping()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT idx, leaf FROM audit_leaf WHERE time_ms >= ? AND event IN ('message.accepted', 'message.denied') ORDER BY idx
                """, arguments: [since])
            while let row = try rows.next() {
                let bytes: Data = row["leaf"]
                do { grouping.add(try AuditLeaf(bytes: [UInt8](bytes)).record) } catch {
                    let index: Int64 = row["idx"]
                    return .failure(StoreError(.corruptState, "leaf \(index) does not decode: \(error); run `accord audit verify`"))
                }
            }
            return .success(grouping.groups)
        }
        return try result.get()
    }
}
