import AccordAudit
import AccordCrypto
import Foundation
import Testing

/// The one-pass verifier against each kind of tampering; every case would pass unnoticed if
/// the check it names were removed.
@Suite struct LogVerifierTests {
    struct Log {
        var leaves: [(index: UInt64, bytes: [UInt8], hash: [UInt8])]
        var checkpoints: [LogVerifier.StoredCheckpoint]
        let signer: NoteSigner
    }

    static let origin = "accord.test/audit"

    static func makeLog(count: Int, checkpointEvery: Int) throws -> Log {
        let signer = try NoteSigner(name: origin, privateKey: PrivateKey.generate(.edDSA))
        let hasher = TreeHasher()
        var head = TreeHead()
        var log = Log(leaves: [], checkpoints: [], signer: signer)
        for index in 0 ..< count {
            var record = AuditRecordTests.record()
            record.messageID = "msg-\(index)"
            let leaf = try AuditLeaf(index: UInt64(index), record: record)
            let hash = hasher.leafHash(leaf.bytes)
            head.append(leafHash: hash, using: hasher)
            log.leaves.append((UInt64(index), leaf.bytes, hash))
            if (index + 1) % checkpointEvery == 0 {
                let checkpoint = try Checkpoint(origin: origin, size: head.size, rootHash: head.root(using: hasher))
                log.checkpoints.append(.init(sequence: Int64(log.checkpoints.count + 1), note: try checkpoint.signed(by: signer).encoded))
            }
        }
        return log
    }

    static func verify(_ log: Log, verifier: NoteVerifier? = nil) -> LogVerifier.Outcome {
        var verification = LogVerifier(origin: origin, verifier: verifier ?? log.signer.verifier, checkpoints: log.checkpoints)
        for leaf in log.leaves { verification.consume(index: leaf.index, leaf: leaf.bytes, storedHash: leaf.hash) }
        return verification.finish()
    }

    @Test func intactLogVerifies() throws {
        let log = try Self.makeLog(count: 40, checkpointEvery: 10)
        guard case .verified(let summary) = Self.verify(log) else { Issue.record("intact log must verify"); return }
        #expect(summary.leafCount == 40)
        #expect(summary.checkpointsVerified == 4)
        #expect(summary.latestCheckpointSize == 40)
    }

    @Test func changedLeafIsNamed() throws {
        var log = try Self.makeLog(count: 40, checkpointEvery: 10)
        log.leaves[17].bytes = Array(String(decoding: log.leaves[17].bytes, as: UTF8.self).replacingOccurrences(of: "immigration-nz", with: "customs").utf8)
        guard case .diverged(.leafHashMismatch(let index, let expected, _)) = Self.verify(log) else { Issue.record("changed leaf not found"); return }
        #expect(index == 17)
        #expect(expected == log.leaves[17].hash)
    }

    @Test func changedLeafWithRewrittenHashIsCaughtByTheSignedRoot() throws {
        var log = try Self.makeLog(count: 40, checkpointEvery: 10)
        log.leaves[17].bytes = Array(String(decoding: log.leaves[17].bytes, as: UTF8.self).replacingOccurrences(of: "immigration-nz", with: "customs").utf8)
        log.leaves[17].hash = TreeHasher().leafHash(log.leaves[17].bytes)
        #expect(Self.verify(log) == .diverged(.rootMismatch(size: 20, expected: try Checkpoint.open(log.checkpoints[1].note, verifier: log.signer.verifier).rootHash,
                                                            found: try MerkleTree(leafHashes: log.leaves.prefix(20).map(\.hash)).root())))
    }

    @Test func reorderedLeavesAreNamed() throws {
        var log = try Self.makeLog(count: 40, checkpointEvery: 10)
        let moved = log.leaves[5]
        log.leaves[5] = (5, log.leaves[6].bytes, log.leaves[6].hash)
        log.leaves[6] = (6, moved.bytes, moved.hash)
        #expect(Self.verify(log) == .diverged(.leafMisplaced(index: 5, recorded: 6)))
    }

    @Test func deletedAndTruncatedLeavesAreNamed() throws {
        var log = try Self.makeLog(count: 40, checkpointEvery: 10)
        log.leaves.remove(at: 12)
        #expect(Self.verify(log) == .diverged(.leafMissing(index: 12, found: 13)))
        var truncated = try Self.makeLog(count: 40, checkpointEvery: 10)
        truncated.leaves.removeLast(3)
        #expect(Self.verify(truncated) == .diverged(.truncated(checkpointSize: 40, leafCount: 37)))
    }

    @Test func forgedCheckpointIsNamed() throws {
        var log = try Self.makeLog(count: 40, checkpointEvery: 10)
        let impostor = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate(.edDSA))
        let fake = try Checkpoint(origin: Self.origin, size: 40, rootHash: [UInt8](repeating: 1, count: 32))
        log.checkpoints[3] = .init(sequence: 4, note: try fake.signed(by: impostor).encoded)
        guard case .diverged(.checkpointForged(let sequence, _)) = Self.verify(log) else { Issue.record("forged checkpoint accepted"); return }
        #expect(sequence == 4)
        var edited = try Self.makeLog(count: 40, checkpointEvery: 10)
        edited.checkpoints[1] = .init(sequence: 2, note: edited.checkpoints[1].note.replacingOccurrences(of: "\n20\n", with: "\n21\n"))
        guard case .diverged(.checkpointForged(sequence: 2, _)) = Self.verify(edited) else { Issue.record("edited checkpoint accepted"); return }
    }
}
