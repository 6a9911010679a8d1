import AccordCore
import AccordAudit

/// The search columns of one audit leaf's row (`audit_leaf`'s time, event, actor, message and
/// agreement; its `audit_party` and `audit_subject` rows), derived from the leaf's record and
/// from nothing else: the writer inserts them from here, and verification derives them again
/// from each signed leaf to find a row edited around its leaf (docs/audit.md).
struct AuditIndexColumns: Equatable {
    let timeMilliseconds: Int64
    let event: String
    let actor: String
    let messageID: String?
    let agreementID: String?
    /// Every agency the leaf concerns: its actor, sender and recipients, sorted.
    let parties: [String]
    /// `type`, `hmac` of each subject hash, sorted.
    let subjects: [Subject]

    struct Subject: Hashable, Comparable {
        let type: String
        let hmac: String

        static func < (lhs: Subject, rhs: Subject) -> Bool { (lhs.type, lhs.hmac) < (rhs.type, rhs.hmac) }
    }

    init(_ record: AuditRecord) {
        timeMilliseconds = record.timeMilliseconds
        event = record.event.rawValue
        actor = record.actor
        messageID = record.messageID?.rawValue
        agreementID = record.agreement?.id.rawValue
        var parties = Set(record.to.map(\.rawValue))
        parties.insert(record.actor)
        if let from = record.from { parties.insert(from.rawValue) }
        self.parties = parties.sorted()
        subjects = Set(record.subjects.map { Subject(type: $0.type, hmac: $0.hmac) }).sorted()
    }

    init(timeMilliseconds: Int64, event: String, actor: String, messageID: String?, agreementID: String?,
         parties: [String], subjects: [Subject]) {
        self.timeMilliseconds = timeMilliseconds
        self.event = event
        self.actor = actor
        self.messageID = messageID
        self.agreementID = agreementID
        self.parties = parties.sorted()
        self.subjects = subjects.sorted()
    }

    /// How the stored columns of leaf `index` differ from those its bytes give; nil when they agree.
    static func mismatch(at index: UInt64, leaf: [UInt8], stored: AuditIndexColumns) -> IndexMismatch? {
        let expected: AuditIndexColumns
        do { expected = AuditIndexColumns(try AuditLeaf(bytes: leaf).record) } catch {
            return IndexMismatch(index: index, columns: ["leaf (does not decode: \(error))"])
        }
        let differences = expected.differences(from: stored)
        return differences.isEmpty ? nil : IndexMismatch(index: index, columns: differences)
    }

    /// The names of the columns in which `stored` differs from `self`.
    func differences(from stored: AuditIndexColumns) -> [String] {
        var columns: [String] = []
        if stored.timeMilliseconds != timeMilliseconds { columns.append("time_ms") }
        if stored.event != event { columns.append("event") }
        if stored.actor != actor { columns.append("actor") }
        if stored.messageID != messageID { columns.append("message_id") }
        if stored.agreementID != agreementID { columns.append("agreement_id") }
        if stored.parties != parties { columns.append("audit_party") }
        if stored.subjects != subjects { columns.append("audit_subject") }
        return columns
    }
}
