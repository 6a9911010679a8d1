import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import GRDB
import Testing

/// A log whose checkpoint key was rotated twice verifies from its first leaf with any key of
/// the chain; the checkpoint after each rotation carries both keys, and a log whose overlap
/// checkpoint lacks the old key's signature, or whose rotations do not link, does not verify.
@Suite struct AuditKeyRotationTests {
    static func rotation(from old: NoteSigner, to new: NoteSigner) -> AuditRecord {
        AuditRecord(event: .auditKeyRotated, time: Date(), actor: "operator:test",
                    details: ["old_key": old.verifier.verifierKey, "new_key": new.verifier.verifierKey])
    }

    /// Leaves under three keys, rotated twice, with checkpoints in each epoch.
    static func rotatedLog() async throws -> (path: String, keys: [NoteSigner], checkpoints: [StoredCheckpoint]) {
        let path = StoreFixture.temporaryPath()
        let configuration = try StoreFixture.configuration()
        let keys = [configuration.signer!, try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA)),
                    try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA))]
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        var rotationCheckpoints: [StoredCheckpoint] = []
        try await store.whileRunning {
            for epoch in 0 ..< 3 {
                for n in 0 ..< 4 { _ = try await store.accept(StoreFixture.submission("e\(epoch)-m\(n)")) }
                _ = try await store.checkpointNow()
                if epoch < 2 {
                    let (_, checkpoint) = try await store.rotateAuditKey(to: keys[epoch + 1], record: rotation(from: keys[epoch], to: keys[epoch + 1]))
                    rotationCheckpoints.append(checkpoint)
                    #expect(store.currentAuditVerifier?.verifierKey == keys[epoch + 1].verifier.verifierKey)
                }
            }
            _ = try await store.checkpointNow()
        }
        return (path, keys, rotationCheckpoints)
    }

    static func verify(_ path: String, with key: NoteVerifier) async throws -> LogVerifier.Outcome {
        let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        return try await reader.verifyLog(origin: StoreFixture.origin, verifier: key)
    }

    @Test func aLogSpanningTwoRotationsVerifiesWithAnyKeyOfItsChain() async throws {
        let (path, keys, overlaps) = try await Self.rotatedLog()
        defer { try? FileManager.default.removeItem(atPath: path) }
        for checkpoint in overlaps {
            let note = try SignedNote(parsing: checkpoint.note)
            #expect(note.signatures.count == 2, "the checkpoint after a rotation is signed by the old key and the new")
        }
        for key in keys {
            guard case .verified(let summary) = try await Self.verify(path, with: key.verifier) else {
                Issue.record("the log does not verify with key \(key.verifier.keyID)"); continue
            }
            // Every leaf, the two rotations among them, under every checkpoint of the three epochs.
            #expect(summary.isClean && summary.checkpointsVerified == 5 && summary.latestCheckpointSize == summary.leafCount)
        }
        let stranger = try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA))
        guard case .diverged(.keyHistory) = try await Self.verify(path, with: stranger.verifier) else {
            Issue.record("a key outside the chain was accepted"); return
        }

        // Through the storage protocol alone, as a backend without its own verification is
        // verified (and as a call with the defaulted arguments on `any AuditReading` resolves):
        // the same chain of keys is followed.
        let reader: any AuditReading = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        for key in keys {
            guard case .verified(let summary) = try await reader.verifyLog(origin: StoreFixture.origin, verifier: key.verifier) else {
                Issue.record("the generic verification does not follow the key chain from \(key.verifier.keyID)"); continue
            }
            #expect(summary.checkpointsVerified == 5 && summary.latestCheckpointSize == summary.leafCount)
        }
    }

    @Test func anOverlapCheckpointWithoutTheOldKeysSignatureDoesNotVerify() async throws {
        let (path, keys, overlaps) = try await Self.rotatedLog()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Someone holding only the new key re-signs the overlap checkpoint: the old key no longer vouches for it.
        let checkpoint = try Checkpoint(text: SignedNote(parsing: overlaps[0].note).text)
        let alone = try checkpoint.signed(by: keys[1]).encoded
        try TamperTests.tamper(path, "UPDATE audit_checkpoint SET note = '\(alone)' WHERE seq = \(overlaps[0].sequence)")
        guard case .diverged(.checkpointForged(let sequence, _)) = try await Self.verify(path, with: keys[0].verifier) else {
            Issue.record("an overlap checkpoint signed by the new key alone was accepted"); return
        }
        #expect(sequence == overlaps[0].sequence)
    }
}
