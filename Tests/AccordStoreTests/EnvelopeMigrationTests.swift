import AccordCore
import AccordAudit
import Foundation
import GRDB
import Testing

@testable import AccordStore

/// Migration `v5-delivery-envelope-columns`: envelopes that earlier versions stored as one JSON
/// document in `presentation` become columns, whichever writer made them.
@Suite struct EnvelopeMigrationTests {
    /// As the first versions wrote it, with Foundation's `JSONEncoder` (sorted keys, `/` escaped),
    /// before handling codes, subject hashes and binding keys were kept.
    static let encoderStyle = #"{"agreement":"inz-police","agreement_digest":"sha-256:01","from":"nz-police","purpose":"investigation","received_ms":1700000000000,"sd_jwt":"eyJ.payload.sig~","type":"referral","v":1,"withheld":["subject\/health"]}"#
    static let encoderStyleEnvelope = DeliveryEnvelope(
        redacted: "eyJ.payload.sig~", sender: "nz-police", type: "referral", purpose: "investigation", agreementID: "inz-police",
        agreementDigest: "sha-256:01", withheld: ["subject/health"], receivedMilliseconds: 1_700_000_000_000)

    /// As later versions wrote it: RFC 8785, with every member.
    static let canonicalStyle = #"{"agreement":"ot-s66c","agreement_digest":"sha-256:02","binding":"thumb","from":"oranga-tamariki","handling":"restricted","purpose":"child-protection","received_ms":1700000000001,"sd_jwt":"eyJ.other.sig~WyJz~","subjects":[{"hmac":"ab12","type":"passport"}],"type":"referral","v":1,"withheld":[]}"#
    static let canonicalStyleEnvelope = DeliveryEnvelope(
        redacted: "eyJ.other.sig~WyJz~", sender: "oranga-tamariki", type: "referral", purpose: "child-protection", agreementID: "ot-s66c",
        agreementDigest: "sha-256:02", withheld: [], receivedMilliseconds: 1_700_000_000_001, handling: "restricted",
        subjects: [SubjectHash(type: "passport", hmac: "ab12")], binding: "thumb")

    @Test func envelopesOfEitherWriterBecomeColumnsAndTheDocumentGoes() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v4-audit-rows-by-leaf")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
                    VALUES ('m', 'nz-police', 'eyJ.payload.sig~', 'sha-256:00', 0, 9999999999999)
                    """)
                for (id, presentation) in [("encoder", Self.encoderStyle), ("canonical", Self.canonicalStyle), ("purged", nil), ("foreign", "not an envelope")] {
                    try db.execute(sql: """
                        INSERT INTO delivery (id, message_id, recipient, state, presentation, attempts, updated_ms, available_seq)
                        VALUES (?, 'm', 'immigration-nz', 'pending', ?, 0, 7, NULL)
                        """, arguments: [id, presentation])
                }
            }
        }
        let store = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        #expect(try await store.delivery(id: "encoder")?.envelope == Self.encoderStyleEnvelope)
        #expect(try await store.delivery(id: "canonical")?.envelope == Self.canonicalStyleEnvelope)
        #expect(try await store.delivery(id: "purged")?.envelope == nil)
        #expect(try await store.delivery(id: "foreign")?.envelope == nil)
        #expect(try await store.deliveries(agreementID: "ot-s66c", states: [.pending]).map(\.id) == ["canonical"])
        let documents = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT id FROM delivery WHERE presentation IS NOT NULL ORDER BY id")
        }
        #expect(documents == ["foreign"], "a converted row keeps no second copy; a row that was never an envelope is left as it was")
    }

    @Test func anEnvelopeWrittenNowReadsBackEqual() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration())
        var submission = StoreFixture.submission("m1")
        let envelope = Self.canonicalStyleEnvelope
        submission.deliveries = [.init(id: "d1", recipient: "immigration-nz", envelope: envelope)]
        try await store.whileRunning { _ = try await store.accept(submission) }
        #expect(try await store.delivery(id: "d1")?.envelope == envelope)
    }
}
