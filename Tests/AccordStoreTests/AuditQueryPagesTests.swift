import AccordCore
import AccordAudit
import AccordStore
import Testing

/// A query read a page at a time returns what one read of it returns, in order, whatever the
/// page size, and keeps the query's own limit.
@Suite struct AuditQueryPagesTests {
    @Test(arguments: [1, 2, 5, 4_096])
    func pagesAddUpToTheWholeResult(pageSize: Int) async throws {
        let (store, _) = try await AuditExportTests.store(leaves: 31)
        for query in [AuditQuery(events: [.messageDelivered]), AuditQuery(events: [.messageAccepted], limit: 7),
                      AuditQuery(messageID: "m30"), AuditQuery(messageID: "none"), AuditQuery(limit: 0)] {
            var pages = AuditQueryPages(store, query: query, pageSize: pageSize)
            var read: [UInt64] = []
            while let page = try await pages.next() {
                #expect(page.count <= pageSize)
                read += page.map(\.index)
            }
            #expect(read == (try await store.query(query)).map(\.index), "\(query)")
        }
        // Below an index: only what lies under it.
        var below = AuditQueryPages(store, query: AuditQuery(events: [.messageDelivered]), below: 10, pageSize: 2)
        var read: [UInt64] = []
        while let page = try await below.next() { read += page.map(\.index) }
        #expect(read == [0, 3, 6, 9])
    }
}
