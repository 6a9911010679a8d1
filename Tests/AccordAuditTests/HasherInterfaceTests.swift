import AccordAudit
import AccordCore
import AccordCrypto
import Testing

/// Merkle proofs are built and verified through whatever `SHA256Hashing` the caller hands in,
/// so a verifier can bring its own SHA-256 and leave OpenSSL out.
@Suite struct HasherInterfaceTests {
    /// Counts the digests asked of it, and hands the work to the one SHA-256.
    final class CountingSHA256: SHA256Hashing {
        nonisolated(unsafe) static var finalized = 0
        private let inner = SHA256.Hasher()

        init() {}

        func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }

        func finalize(into output: UnsafeMutableRawPointer) {
            Self.finalized += 1
            inner.finalize(into: output)
        }
    }

    @Test func proofsVerifyThroughTheHasherHandedIn() throws {
        let counting = TreeHasher(hashing: CountingSHA256.self)
        let leaves = (0 ..< 11).map { Array("leaf \($0)".utf8) }
        let tree = MerkleTree(leafHashes: leaves.map(counting.leafHash), using: counting)
        let root = try tree.root(treeSize: 11, using: counting)
        #expect(root == (try MerkleTree(leafHashes: leaves.map(TreeHasher().leafHash)).root(treeSize: 11)))

        let proof = try tree.inclusionProof(index: 6, treeSize: 11, using: counting)
        let before = CountingSHA256.finalized
        try InclusionProof.verify(leafHash: tree.leafHash(at: 6), index: 6, treeSize: 11, proof: proof, root: root, using: counting)
        #expect(CountingSHA256.finalized - before == proof.count)

        let consistency = try tree.consistencyProof(size1: 5, size2: 11, using: counting)
        let root5 = try tree.root(treeSize: 5, using: counting)
        try ConsistencyProof.verify(size1: 5, size2: 11, proof: consistency, root1: root5, root2: root, using: counting)
        var forged = proof
        forged[0][0] ^= 1
        #expect(throws: AuditError.self) {
            try InclusionProof.verify(leafHash: tree.leafHash(at: 6), index: 6, treeSize: 11, proof: forged, root: root, using: counting)
        }
    }
}
