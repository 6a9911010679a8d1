import AccordCore
public import AccordAudit
import Foundation

extension AuditQuery {
    /// Whether `record` itself satisfies this query. A search finds leaves through their rows'
    /// search columns; a leaf returned that does not satisfy the query was found through a
    /// column someone changed, and the console marks it.
    public func matches(_ record: AuditRecord) -> Bool {
        let columns = AuditIndexColumns(record)
        if let since, columns.timeMilliseconds < AuditTime.milliseconds(since) { return false }
        if let until, columns.timeMilliseconds >= AuditTime.milliseconds(until) { return false }
        if let agreementID, columns.agreementID != agreementID.rawValue { return false }
        if let messageID, columns.messageID != messageID.rawValue { return false }
        if !events.isEmpty, !events.contains(record.event) { return false }
        if let agency, !columns.parties.contains(agency.rawValue) { return false }
        if let subject, !columns.subjects.contains(AuditIndexColumns.Subject(type: subject.type, hmac: subject.hmac)) { return false }
        return true
    }
}
