public import AccordAudit

/// The leaves a query matches, read a page at a time in index order, so that a long result
/// (a year of deliveries) is never held whole. The query's own limit caps the total.
public struct AuditQueryPages {
    private let store: any AuditReading
    private var query: AuditQuery
    private let pageSize: Int
    private let end: UInt64
    /// What is left of the query's limit; nil when it has none.
    private var remaining: Int?
    /// Every match below this index has been returned.
    public private(set) var scanned: UInt64 = 0

    /// Pages of the leaves `query` matches below index `end` (all of them when nil).
    public init(_ store: any AuditReading, query: AuditQuery, below end: UInt64? = nil, pageSize: Int = 4_096) {
        precondition(pageSize > 0, "a page holds at least one leaf")
        self.store = store
        self.query = query
        self.pageSize = pageSize
        self.end = end ?? .max
        self.remaining = query.limit.map { max(0, $0) }
        self.scanned = query.startIndex ?? 0
    }

    /// The next page; nil once every match has been returned. A page may be empty only when it
    /// is the last.
    public mutating func next() async throws(StoreError) -> [AuditLeaf]? {
        guard scanned < end else { return nil }
        let wanted = min(remaining ?? pageSize, pageSize)
        query.startIndex = scanned
        query.limit = wanted
        let found = wanted == 0 ? [] : try await store.query(query)
        remaining = remaining.map { $0 - found.count }
        let last = found.last.map { $0.index + 1 } ?? end
        // A short page, the limit used up or the end reached: nothing more to find.
        scanned = found.count < wanted || remaining == 0 || last >= end ? end : last
        return found.filter { $0.index < end }
    }
}
