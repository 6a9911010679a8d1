import AccordAudit

/// An audit record ready for the writer: its leaf text but for the index, and its search
/// columns. Made on the caller's task before the work is queued, so that callers encode in
/// parallel and the single writer only inserts (docs/performance.md).
struct PreparedRecord: Sendable {
    let leaf: UnindexedLeaf
    let columns: AuditIndexColumns

    init(_ record: AuditRecord) {
        leaf = UnindexedLeaf(record)
        columns = AuditIndexColumns(record)
    }

    static func all(_ records: [AuditRecord]) -> [PreparedRecord] {
        records.map(PreparedRecord.init)
    }
}
