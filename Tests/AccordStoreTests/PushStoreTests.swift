import AccordCore
import AccordAudit
import AccordStore
import Foundation
import GRDB
import Testing

/// The record of push tries (migration v6-push): written through the writer, replaced per
/// delivery, kept across a reopen, and listed only while its delivery waits in an inbox.
@Suite struct PushStoreTests {
    static func record(_ deliveryID: DeliveryID, _ state: PushRecord.State, attempts: Int, failure: String?) -> PushRecord {
        let first = Date(timeIntervalSince1970: 1_800_000_000)
        return PushRecord(deliveryID: deliveryID, recipient: "immigration-nz", state: state, firstAttempt: first,
                          lastAttempt: first.addingTimeInterval(Double(attempts)), attempts: attempts,
                          nextAttempt: first.addingTimeInterval(Double(attempts) * 2), lastFailure: failure)
    }

    @Test func recordsAreReplacedSurviveAReopenAndLeaveTheListsWithTheirDelivery() async throws {
        let path = StoreFixture.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try StoreFixture.configuration()
        do {
            let store = try SQLiteStore.open(path: path, configuration: configuration)
            try await store.whileRunning {
                for id: MessageID in ["m1", "m2"] { _ = try await store.accept(StoreFixture.submission(id)) }
                try await store.recordPush(Self.record("m1/immigration-nz", .retrying, attempts: 1, failure: "503"))
                try await store.recordPush(Self.record("m1/immigration-nz", .retrying, attempts: 2, failure: "client-connect-failed"))
                try await store.recordPush(Self.record("m2/immigration-nz", .undeliverable, attempts: 9, failure: "client-timeout"))
            }
        }
        let store = try await StoreFixture.reopen(path, configuration: configuration)
        try await store.whileRunning {
            let records = try await store.pushRecords(recipient: "immigration-nz").sorted { $0.deliveryID < $1.deliveryID }
            #expect(records == [Self.record("m1/immigration-nz", .retrying, attempts: 2, failure: "client-connect-failed"),
                                Self.record("m2/immigration-nz", .undeliverable, attempts: 9, failure: "client-timeout")])
            #expect(try await store.pushRecords(state: .undeliverable, limit: 10).map(\.deliveryID) == ["m2/immigration-nz"])
            #expect(try await store.pushRecords(recipient: "nz-police").isEmpty)

            // Pulled and acknowledged: out of the inbox, out of the lists.
            _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: "m2/immigration-nz", state: .delivered, audit: []))
            _ = try await store.updateDelivery(DeliveryUpdate(deliveryID: "m2/immigration-nz", state: .acknowledged, audit: []))
            #expect(try await store.pushRecords(state: .undeliverable, limit: 10).isEmpty)
            #expect(try await store.pushRecords(recipient: "immigration-nz").map(\.deliveryID) == ["m1/immigration-nz"])

            // The retention run drops the tries of closed deliveries; an open one keeps its own.
            _ = try await store.purgeMessages(retainedUntilBefore: Date(timeIntervalSince1970: 0))
        }
        let rows = try await DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            .read { db in try String.fetchAll(db, sql: "SELECT delivery_id FROM push ORDER BY delivery_id") }
        #expect(rows == ["m1/immigration-nz"])
    }
}
