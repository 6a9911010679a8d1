import AccordAudit
import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordTestSupport
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// Faults of the database under the gateway, injected for real: SQLite's own limit on the
/// file's size (`max_page_count`, which fails writes with SQLITE_FULL exactly as a full disk
/// does), a second connection holding the write lock, and the connection made read-only. Each
/// time the client is told to retry later, nothing is half-written, and the gateway recovers
/// by itself once the fault is gone.
@Suite struct StorageFaultTests {
    /// Runs `sql` on the store's own writer connection, between its batches.
    static func onWriter(_ store: SQLiteStore, _ sql: String) async throws {
        try await store.database.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    static func pageCount(_ store: SQLiteStore) async throws -> Int {
        try await store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// What the log and the tables hold, to compare before and after a failed write.
    static func footprint(_ store: SQLiteStore) async throws -> [Int] {
        try await store.database.read { db in
            try ["message", "delivery", "audit_leaf", "audit_party", "audit_subject"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
    }

    @Test func aFullDiskIsAnswered503WithRetryAfterAndNothingIsHalfWritten() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let gateway = fixture.gateway
            _ = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            _ = try await fixture.store.checkpointNow()
            let before = try await Self.footprint(fixture.store)
            let leaves = try await fixture.store.leafCount()

            try await Self.onWriter(fixture.store, "PRAGMA max_page_count = \(try await Self.pageCount(fixture.store))")
            // A message big enough to need new pages, refused for want of space.
            var content = GatewayFixture.referral
            content["notes"] = .string(String(repeating: "n", count: 64 * 1024))
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], content: content)
            let full = await #expect(throws: GatewayProblem.self) { try await gateway.submit(text, from: "nz.immigration") }
            #expect(full?.status == 503 && full?.code == "storage-full", "\(String(describing: full))")
            #expect((full?.retryAfter ?? 0) >= 1)
            #expect(full.map { !$0.detail.contains("Mele") } == true, "no payload value in the answer")
            #expect(try await Self.footprint(fixture.store) == before, "a failed write leaves no row behind")
            #expect(try await fixture.store.leafCount() == leaves)

            // Space returns: the same message is accepted, and the log verifies end to end.
            try await Self.onWriter(fixture.store, "PRAGMA max_page_count = 1073741823")
            let receipt = try await gateway.submit(text, from: "nz.immigration")
            #expect(!receipt.replayed && receipt.recipients.first?.auditLeaf != nil)
            #expect(try await gateway.inbox(for: "nz.police", after: nil, limit: nil).items.count == 2)
            _ = try await fixture.store.checkpointNow()
            let verifier = try NoteVerifier(name: "test.accord/audit", publicKey: fixture.keys.auditKey.publicKey)
            let outcome = try await fixture.store.verifyLog(origin: "test.accord/audit", verifier: verifier, pageSize: 1000) { _, _ in }
            guard case .verified = outcome else {
                Issue.record("the log does not verify after the fault: \(outcome)")
                return
            }
        }
    }

    @Test func aDatabaseLockedByAnotherWriterIsAnswered503AndRecovers() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let gateway = fixture.gateway
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
            // Another process's connection holds the write lock past the store's busy timeout.
            let lock = try WriteLockHolder(path: fixture.directory.appendingPathComponent("accord.sqlite").path)
            let locked = await #expect(throws: GatewayProblem.self) { try await gateway.submit(text, from: "nz.immigration") }
            #expect(locked?.status == 503 && locked?.retryAfter != nil)
            lock.release()
            let receipt = try await gateway.submit(text, from: "nz.immigration")
            #expect(!receipt.replayed)
        }
    }

    @Test func aReadOnlyDatabaseIsAnswered503AndRecovers() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let gateway = fixture.gateway
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
            try await Self.onWriter(fixture.store, "PRAGMA query_only = ON")
            let readOnly = await #expect(throws: GatewayProblem.self) { try await gateway.submit(text, from: "nz.immigration") }
            #expect(readOnly?.status == 503 && readOnly?.retryAfter != nil)
            try await Self.onWriter(fixture.store, "PRAGMA query_only = OFF")
            #expect(try await gateway.submit(text, from: "nz.immigration").replayed == false)
        }
    }
}

/// A second connection to the database that takes SQLite's write lock (`BEGIN IMMEDIATE`) and
/// holds it on a thread of its own until released, as another process would.
final class WriteLockHolder: Sendable {
    private let taken = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        DispatchQueue(label: "write-lock-holder").async { [taken, released, finished] in
            try? queue.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                taken.signal()
                released.wait()
                try db.execute(sql: "ROLLBACK")
            }
            finished.signal()
        }
        taken.wait()
    }

    func release() {
        released.signal()
        finished.wait()
    }
}
