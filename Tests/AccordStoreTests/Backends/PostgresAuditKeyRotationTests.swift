import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Rotating the audit key on PostgreSQL with two nodes: the node that rotates records one
/// `audit.key_rotated` leaf under a checkpoint signed by both keys; the other node, still
/// holding the old key, signs nothing until it takes the new key up, and taking it up records
/// nothing more. The log then verifies from its first leaf with either key.
@Suite(.needsPostgreSQLServer) struct PostgresAuditKeyRotationTests {
    @Test func aRotationOnOneNodeIsTakenUpByTheOtherAndTheLogVerifiesWithEitherKey() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration()
            let old = configuration.signer!
            let new = try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA))
            let rotating = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            let other = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            try await rotating.whileRunning {
                try await other.whileRunning {
                    _ = try await other.accept(StoreFixture.submission("before"))
                    let (leaf, checkpoint) = try await rotating.rotateAuditKey(to: new, record: AuditKeyRotationTests.rotation(from: old, to: new))
                    #expect(try SignedNote(parsing: checkpoint.note).signatures.count == 2, "the rotation's checkpoint carries both keys")
                    #expect(checkpoint.size == leaf + 1)
                    #expect(rotating.currentAuditVerifier?.verifierKey == new.verifier.verifierKey)

                    // The other node still has the old key: it writes, but signs no checkpoint.
                    _ = try await other.accept(StoreFixture.submission("while-old"))
                    #expect(try await other.checkpointNow() == nil, "a node with the rotated-away key signs nothing")
                    // The rotating node, holding the lease or taking it, may sign: with the new key only.
                    let latest = try #require(try await other.latestCheckpoint())
                    #expect(throws: Never.self) { _ = try Checkpoint.open(latest.note, verifier: new.verifier) }
                    let refused = await #expect(throws: StoreError.self) {
                        try await other.rotateAuditKey(to: try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA)),
                                                       record: AuditKeyRotationTests.rotation(from: old, to: new))
                    }
                    #expect(refused?.message.contains(new.verifier.verifierKey) == true, "the refusal names the key in force: \(refused?.message ?? "")")

                    // Given the new key, it takes the recorded rotation up and records nothing more.
                    let takenUp = try await other.rotateAuditKey(to: new, record: AuditKeyRotationTests.rotation(from: old, to: new))
                    #expect(takenUp.leaf == leaf)
                    #expect(other.currentAuditVerifier?.verifierKey == new.verifier.verifierKey)
                    _ = try await other.accept(StoreFixture.submission("after"))
                    #expect(await eventuallyHolds(within: .seconds(60)) {
                        _ = try await other.checkpointNow()
                        _ = try await rotating.checkpointNow()
                        return try await other.latestCheckpoint()?.size == other.leafCount()
                    }, "whichever node holds the lease signs with the new key")
                }
            }
            let reader = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
            #expect(try await reader.query(AuditQuery(events: [.auditKeyRotated])).count == 1, "one rotation leaf for the two nodes")
            let latest = try #require(try await reader.latestCheckpoint())
            #expect(throws: Never.self, "the latest checkpoint is the new key's") { _ = try Checkpoint.open(latest.note, verifier: new.verifier) }
            for key in [old, new] {
                let outcome = try await reader.verifyLog(origin: StoreFixture.origin, verifier: key.verifier, pageSize: 64, progress: { _, _ in })
                guard case .verified(let summary) = outcome else { Issue.record("with \(key.verifier.keyID): \(outcome)"); continue }
                #expect(summary.isClean && summary.latestCheckpointSize == summary.leafCount)
            }
        }
    }
}
