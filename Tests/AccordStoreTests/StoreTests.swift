import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import GRDB
import Testing

/// Writes, reads, group commit, retention and the append-only guarantees of the store, the
/// backend-independent ones on each backend.
@Suite struct StoreTests {
    @Test(arguments: StoreBackend.available) func acceptAppendsLeavesAndRowsTogether(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            let leaves = try await store.whileRunning {
                let first = try await store.accept(StoreFixture.submission("m1", passport: "LA123456"))
                let second = try await store.accept(StoreFixture.submission("m2"))
                return first + second
            }
            #expect(leaves == [0, 1])
            #expect(try await store.message(id: "m1")?.sdJWT == "eyJ.payload.sig~disclosure~")
            #expect(try await store.deliveries(messageID: "m1").map(\.state) == [.pending])
            #expect(try await store.deliveries(recipient: "immigration-nz", states: [.pending]).count == 2)
            let decoded = try await store.query(AuditQuery(messageID: "m1"))
            #expect(decoded.map(\.index) == [0])
            #expect(decoded.first?.record.event == .messageAccepted)
        }
    }

    @Test(arguments: StoreBackend.available) func concurrentSubmissionsCommitTogetherAndFailAlone(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration(every: 50)) { store in
            let results = try await store.whileRunning {
                try await withThrowingTaskGroup(of: (MessageID, Result<[UInt64], StoreError>).self) { group in
                    for n in 0 ..< 200 {
                        let id: MessageID = n == 150 ? "m0" : "m\(n)"
                        group.addTask {
                            do throws(StoreError) { return (id, .success(try await store.accept(StoreFixture.submission(id)))) } catch { return (id, .failure(error)) }
                        }
                    }
                    var results: [(MessageID, Result<[UInt64], StoreError>)] = []
                    for try await result in group { results.append(result) }
                    return results
                }
            }
            let failures = results.compactMap { if case .failure(let error) = $0.1 { error } else { nil } }
            #expect(failures.count == 1)
            #expect(failures.first?.code == .duplicateMessage)
            let indexes = results.flatMap { (try? $0.1.get()) ?? [] }.sorted()
            #expect(indexes == Array(0 ..< 199))
            #expect(try await store.leafCount() == 199)
            let checkpoints = try await store.checkpoints()
            #expect(checkpoints.last?.size == 199, "the final checkpoint on shutdown covers every leaf")
            let outcome = try await store.verifyLog(origin: StoreFixture.origin, verifier: store.configuration.signer!.verifier,
                                                    pageSize: 20_000, progress: { _, _ in })
            guard case .verified(let summary) = outcome else { Issue.record("\(outcome)"); return }
            #expect(summary.leafCount == 199)
        }
    }

    @Test(arguments: StoreBackend.available) func deliveriesMoveOnlyForward(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            try await store.whileRunning {
                _ = try await store.accept(StoreFixture.submission("m1"))
                let id: DeliveryID = "m1/immigration-nz"
                let delivered = try await store.updateDelivery(.init(deliveryID: id, state: .delivered, countsAsAttempt: true,
                                                                     audit: [StoreFixture.record(.messageDelivered, message: "m1")]))
                #expect(delivered == [1])
                _ = try await store.updateDelivery(.init(deliveryID: id, state: .acknowledged, audit: [StoreFixture.record(.messageAcknowledged, message: "m1")]))
                await #expect(throws: StoreError.self) {
                    try await store.updateDelivery(.init(deliveryID: id, state: .pending, audit: [StoreFixture.record(.messageReleased, message: "m1")]))
                }
                await #expect(throws: StoreError.self) {
                    try await store.updateDelivery(.init(deliveryID: "nope", state: .delivered, audit: []))
                }
            }
            let delivery = try await store.deliveries(messageID: "m1").first
            #expect(delivery?.state == .acknowledged)
            #expect(delivery?.attempts == 1)
            #expect(try await store.leafCount() == 3, "a refused transition leaves no audit leaf behind")
        }
    }

    @Test(arguments: StoreBackend.available) func retentionPurgesPayloadButKeepsTheAuditLeaves(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            try await store.whileRunning {
                _ = try await store.accept(StoreFixture.submission("m1"))
                #expect(try await store.purgeMessages(retainedUntilBefore: Date()) == 0)
                // Its delivery is still open: the text stays until the gateway has expired it.
                #expect(try await store.purgeMessages(retainedUntilBefore: Date().addingTimeInterval(2 * 86_400)) == 0)
                let delivery = try #require(try await store.deliveries(messageID: "m1").first)
                _ = try await store.updateDelivery(.init(deliveryID: delivery.id, state: .expired, audit: [StoreFixture.record(.messageExpired, message: "m1")]))
                #expect(try await store.purgeMessages(retainedUntilBefore: Date().addingTimeInterval(2 * 86_400)) == 1)
            }
            #expect(try await store.message(id: "m1")?.sdJWT == nil)
            #expect(try await store.message(id: "m1")?.submissionDigest.hasPrefix("sha-256:") == true)
            let purged = try #require(try await store.deliveries(messageID: "m1").first?.envelope)
            #expect(purged.redacted == nil, "the redacted text goes with the message's")
            #expect(purged.agreementID == "inz-police", "what the audit log holds too stays")
            #expect(try await store.leafCount() == 2)
        }
    }

    @Test(arguments: StoreBackend.available) func queryFiltersByAgencySubjectEventAndTime(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            let key = try SubjectKey(secret: [UInt8](repeating: 9, count: 32))
            try await store.whileRunning {
                _ = try await store.accept(StoreFixture.submission("m1", passport: "LA123456"))
                _ = try await store.accept(StoreFixture.submission("m2", passport: "ZZ999999"))
                _ = try await store.append([StoreFixture.record(.messageDenied, message: "m3", to: ["customs"], passport: "la123456")])
                _ = try await store.activateAgreementSet(.init(digest: "sha-256:aa", content: Array("agreements".utf8), activatedBy: "operator:jo",
                                                               activatedAt: Date(), audit: [AuditRecord(event: .agreementsActivated, time: Date(), actor: "operator:jo")]))
            }
            #expect(try await store.query(AuditQuery(subject: key.hash(type: "passport", value: "LA123456"))).map(\.index) == [0, 2])
            #expect(try await store.query(AuditQuery(agency: "customs")).map(\.index) == [2])
            #expect(try await store.query(AuditQuery(events: [.messageDenied, .agreementsActivated])).map(\.index) == [2, 3])
            #expect(try await store.query(AuditQuery(agreementID: "inz-police", limit: 2)).map(\.index) == [0, 1])
            #expect(try await store.query(AuditQuery(since: Date().addingTimeInterval(60))).isEmpty)
            #expect(try await store.agreementSets().map(\.auditLeaf) == [3])
        }
    }

    @Test(arguments: StoreBackend.available) func theLatestAgreementSetDigestIsTheLastActivated(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            #expect(try await store.latestAgreementSetDigest() == nil)
            try await store.whileRunning {
                for digest in ["sha-256:aa", "sha-256:bb", "sha-256:aa"] {
                    _ = try await store.activateAgreementSet(.init(digest: digest, content: Array(digest.utf8), activatedBy: "operator:jo",
                                                                   activatedAt: Date(), audit: [AuditRecord(event: .agreementsActivated, time: Date(), actor: "operator:jo")]))
                }
            }
            #expect(try await store.latestAgreementSetDigest() == "sha-256:aa")
            #expect(try await store.agreementSets().map(\.digest) == ["sha-256:aa", "sha-256:bb", "sha-256:aa"])
        }
    }

    @Test func fileStoreIsWALWithFullSyncAndRefusesUpdatesAndDeletes() async throws {
        let path = StoreFixture.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        #expect(try await store.synchronousMode() == 2)
        try await store.whileRunning { _ = try await store.accept(StoreFixture.submission("m1", passport: "X1")) }
        let pool = try DatabasePool(path: path)
        let journal = try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        for sql in ["UPDATE audit_leaf SET actor = 'x'", "DELETE FROM audit_leaf", "DELETE FROM audit_subject",
                    "UPDATE audit_party SET agency = 'x'", "DELETE FROM audit_checkpoint", "UPDATE audit_checkpoint SET note = ''"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try pool.write { db in try db.execute(sql: sql) } }
        }
    }

    @Test(arguments: StoreBackend.available) func reopenedStoreContinuesTheSameTree(backend: StoreBackend) async throws {
        try await backend.withDatabase { location in
            let configuration = try StoreFixture.configuration(every: 3)
            do {
                let store = try await backend.open(location, configuration: configuration)
                try await store.whileRunning { for n in 0 ..< 5 { _ = try await store.accept(StoreFixture.submission("a\(n)")) } }
            }
            let store = try await backend.open(location, configuration: configuration)
            try await store.whileRunning { for n in 0 ..< 5 { _ = try await store.accept(StoreFixture.submission("b\(n)")) } }
            let outcome = try await store.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier,
                                                    pageSize: 4, progress: { _, _ in })
            guard case .verified(let summary) = outcome else { Issue.record("\(outcome)"); return }
            #expect(summary.leafCount == 10)
            #expect(summary.latestCheckpointSize == 10)
        }
    }
}
