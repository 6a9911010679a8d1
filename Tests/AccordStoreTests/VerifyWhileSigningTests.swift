import AccordAudit
import AccordStore
import Foundation
import GRDB
import Testing

/// An integrity run beside a running gateway: a checkpoint the gateway signs while the log is
/// being read may cover leaves already checked. Verification keeps to the checkpoints signed
/// before it began, so such a checkpoint is neither a false alarm nor skipped by the next run.
@Suite struct VerifyWhileSigningTests {
    @Test func aCheckpointSignedDuringVerificationIsLeftForTheNextRun() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        let configuration = try StoreFixture.configuration(every: 2)
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        // Five leaves, checkpoints at 2 and 4 by count: the fifth waits for the next one.
        try await store.whileRunning { for n in 0 ..< 5 { _ = try await store.accept(StoreFixture.submission("m\(n)")) } }
        let hashes = try await store.leaves(in: 0 ..< 5).map(\.leafHash)
        let root = try MerkleTree(leafHashes: hashes).root()
        let note = try Checkpoint(origin: StoreFixture.origin, size: 5, rootHash: root).signed(by: configuration.signer!).encoded

        let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        let gateway = try DatabaseQueue(path: path)
        var signed = false
        // After the last page of leaves, as the running gateway would, sign a checkpoint of all five.
        let outcome = try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier, pageSize: 100) { checked, _ in
            guard checked == 5, !signed else { return }
            signed = true
            try? gateway.write { db in
                try db.execute(sql: "INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES (5, ?, ?, 0)", arguments: [Data(root), note])
            }
        }
        #expect(signed, "the checkpoint was not written during verification")
        guard case .verified(let summary) = outcome else { Issue.record("a checkpoint signed meanwhile broke verification: \(outcome)"); return }
        #expect(summary.leafCount == 5)

        // The next run checks it with the rest.
        guard case .verified = try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier, pageSize: 100, progress: { _, _ in }) else {
            Issue.record("the checkpoint signed meanwhile does not verify on the next run"); return
        }
    }
}
