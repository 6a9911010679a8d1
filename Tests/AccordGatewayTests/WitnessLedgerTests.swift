import AccordAudit
import AccordCrypto
import AccordServer
import AccordTestSupport
import Foundation
import Testing

/// A witness remembers what it cosigned across restarts: the checkpoint is on disk before the
/// cosignature leaves, and a new process starts from it.
@Suite struct WitnessLedgerTests {
    @Test func theCosignedCheckpointSurvivesARestart() async throws {
        let directory = try PackageRoot.temporaryDirectory("witness-ledger")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = try NoteSigner(name: "accord.test/audit", privateKey: PrivateKey.generate(.edDSA))
        let cosigner = try Cosigner(name: "witness.test", privateKey: PrivateKey.generate(.edDSA))
        let tree = MerkleTree(leafHashes: (0 ..< 9).map { TreeHasher().leafHash(Array("leaf \($0)".utf8)) })
        let note = try Checkpoint(origin: log.verifier.name, size: 8, rootHash: tree.root(treeSize: 8)).signed(by: log)

        let first = try WitnessLedger(directory: directory, logs: [log.verifier], cosigner: cosigner)
        let (decision, line) = try await first.add(AddCheckpointRequest(oldSize: 0, proof: [], note: note.encoded))
        guard case .cosign = decision, let line else { Issue.record("not cosigned: \(decision)"); return }
        #expect(try cosigner.verifier.verifiedTime(of: SignedNote(parsing: note.encoded + line)) > 0)

        let restarted = try WitnessLedger(directory: directory, logs: [log.verifier], cosigner: cosigner)
        #expect(await restarted.checkpoint(origin: log.verifier.name)?.size == 8)
        let next = try Checkpoint(origin: log.verifier.name, size: 9, rootHash: tree.root(treeSize: 9)).signed(by: log)
        let (again, _) = try await restarted.add(AddCheckpointRequest(oldSize: 0, proof: [], note: next.encoded))
        #expect(again == .conflict(latestSize: 8))
    }
}
