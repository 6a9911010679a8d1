import AccordCore
import AccordAudit
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// The inbox sequence: given when a delivery becomes available, held in the database, and
/// given to deliveries of a database made before it existed.
@Suite struct InboxSequenceTests {
    @Test func aDeliveryReleasedFromHeldComesAfterEveryEarlierSequence() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration())
        try await store.whileRunning {
            var held = StoreFixture.submission("m1")
            held.deliveries[0].state = .held
            _ = try await store.accept(held)
            _ = try await store.accept(StoreFixture.submission("m2"))
            let before = try await store.inbox(recipient: "immigration-nz", states: [.pending, .delivered], afterSequence: 0, limit: 10)
            #expect(before.map(\.delivery.id) == ["m2/immigration-nz"])
            let cursor = try #require(before.last?.sequence)

            _ = try await store.updateDelivery(.init(deliveryID: "m1/immigration-nz", state: .pending,
                                                     audit: [StoreFixture.record(.messageReleased, message: "m1")]))
            let after = try await store.inbox(recipient: "immigration-nz", states: [.pending, .delivered], afterSequence: cursor, limit: 10)
            #expect(after.map(\.delivery.id) == ["m1/immigration-nz"])
            #expect(after.map(\.sequence) == [cursor + 1])

            // A pick-up keeps the sequence; only becoming available gives one.
            _ = try await store.updateDelivery(.init(deliveryID: "m1/immigration-nz", state: .delivered, countsAsAttempt: true,
                                                     audit: [StoreFixture.record(.messageDelivered, message: "m1")]))
            let all = try await store.inbox(recipient: "immigration-nz", states: [.pending, .delivered], afterSequence: 0, limit: 10)
            #expect(all.map(\.delivery.id) == ["m2/immigration-nz", "m1/immigration-nz"])
            #expect(all.map(\.sequence) == [cursor, cursor + 1])
        }
    }

    @Test func sequencesFollowCommitsWithoutGapsAndSurviveAReopen() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        let configuration = try StoreFixture.configuration()
        do {
            let store = try SQLiteStore.open(path: path, configuration: configuration)
            try await store.whileRunning {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0 ..< 60 {
                        var submission = StoreFixture.submission("m\(n)")
                        // Fails after writing its message row: its batch is applied again, a savepoint per job.
                        if n == 40 { submission.deliveries[0].id = "m10/immigration-nz" }
                        group.addTask { _ = try? await store.accept(submission) }
                    }
                    try await group.waitForAll()
                }
            }
        }
        let store = try await StoreFixture.reopen(path, configuration: configuration)
        try await store.whileRunning { _ = try await store.accept(StoreFixture.submission("after-reopen")) }
        let entries = try await store.inbox(recipient: "immigration-nz", states: [.pending], afterSequence: 0, limit: 100)
        #expect(entries.count == 60)
        #expect(entries.map(\.sequence) == Array(1 ... 60))
        #expect(entries.last?.delivery.id == "after-reopen/immigration-nz")
    }

    /// A database written by the previous schema (its only migration, frozen) and the writer of
    /// that time: available deliveries keep their rowid as sequence, so a cursor handed out
    /// before the upgrade means what it meant, and every open delivery stays reachable.
    @Test func aDatabaseOfThePreviousSchemaMigratesWithEveryDeliveryReachable() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v1-audit-and-messages")
            try await queue.write { db in
                let states: [DeliveryState] = [.pending, .acknowledged, .held, .delivered, .pending, .held, .expired]
                for (n, state) in states.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
                        VALUES (?, 'nz-police', 'eyJ.payload.sig~', 'sha-256:00', 0, 9999999999999)
                        """, arguments: ["old\(n)"])
                    try db.execute(sql: """
                        INSERT INTO delivery (id, message_id, recipient, state, presentation, attempts, updated_ms)
                        VALUES (?, ?, 'immigration-nz', ?, 'eyJ.payload.sig~kb', 0, 0)
                        """, arguments: ["old\(n)/immigration-nz", "old\(n)", state.rawValue])
                }
            }
        }

        let store = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        let open: [DeliveryState] = [.pending, .delivered]
        let migrated = try await store.inbox(recipient: "immigration-nz", states: open, afterSequence: 0, limit: 100)
        #expect(migrated.map(\.delivery.id) == ["old0/immigration-nz", "old3/immigration-nz", "old4/immigration-nz"])
        #expect(migrated.map(\.sequence) == [1, 4, 5], "the rowids that cursors named before the upgrade")
        // A cursor a client took before the upgrade, after old3's rowid.
        let oldCursor: Int64 = 4
        #expect(try await store.inbox(recipient: "immigration-nz", states: open, afterSequence: oldCursor, limit: 100)
            .map(\.delivery.id) == ["old4/immigration-nz"])

        try await store.whileRunning {
            _ = try await store.accept(StoreFixture.submission("new"))
            for held in ["old5", "old2"] {
                _ = try await store.updateDelivery(.init(deliveryID: "\(held)/immigration-nz", state: .pending,
                                                         audit: [StoreFixture.record(.messageReleased, message: MessageID(held))]))
            }
        }
        let resumed = try await store.inbox(recipient: "immigration-nz", states: open, afterSequence: oldCursor, limit: 100)
        #expect(resumed.map(\.delivery.id) == ["old4/immigration-nz", "new/immigration-nz", "old5/immigration-nz", "old2/immigration-nz"])
        #expect(resumed.map(\.sequence) == [5, 8, 9, 10], "new sequences start above every rowid")
        let everything = try await store.inbox(recipient: "immigration-nz", states: open, afterSequence: 0, limit: 100)
        let reachable = Set(everything.map(\.delivery.id))
        let expected = Set(["old0", "old2", "old3", "old4", "old5", "new"].map { DeliveryID("\($0)/immigration-nz") })
        #expect(reachable == expected, "every delivery not acknowledged, expired or held is in the inbox")
    }

    /// A database of the schema before `waiting` (v2): the delivery table is rebuilt with every
    /// row as it was, and a delivery can then wait and come back after every earlier cursor.
    @Test func aDatabaseWithoutTheWaitingStateMigratesWithItsRowsIntact() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v2-inbox-availability-sequence")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
                    VALUES ('v2', 'nz-police', 'eyJ.payload.sig~', 'sha-256:00', 0, 9999999999999)
                    """)
                try db.execute(sql: """
                    INSERT INTO delivery (id, message_id, recipient, state, presentation, attempts, updated_ms, available_seq)
                    VALUES ('v2/immigration-nz', 'v2', 'immigration-nz', 'delivered', '\(EnvelopeMigrationTests.encoderStyle)', 2, 7, 41)
                    """)
                try db.execute(sql: "UPDATE inbox_sequence SET value = 41")
            }
        }
        let store = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        let before = try #require(try await store.delivery(id: "v2/immigration-nz"))
        #expect(before.state == .delivered && before.attempts == 2 && before.envelope == EnvelopeMigrationTests.encoderStyleEnvelope)
        #expect(try await store.inbox(recipient: "immigration-nz", states: [.delivered], afterSequence: 0, limit: 10).map(\.sequence) == [41])
        try await store.whileRunning {
            _ = try await store.updateDelivery(.init(deliveryID: "v2/immigration-nz", state: .waiting,
                                                     audit: [StoreFixture.record(.messageWaiting, message: "v2")]))
            #expect(try await store.inbox(recipient: "immigration-nz", states: [.pending, .delivered], afterSequence: 0, limit: 10).isEmpty)
            _ = try await store.updateDelivery(.init(deliveryID: "v2/immigration-nz", state: .pending,
                                                     audit: [StoreFixture.record(.messageResumed, message: "v2")]))
        }
        #expect(try await store.inbox(recipient: "immigration-nz", states: [.pending], afterSequence: 41, limit: 10).map(\.sequence) == [42])
    }
}
