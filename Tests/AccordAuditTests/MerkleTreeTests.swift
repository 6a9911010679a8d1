import AccordAudit
import AccordCrypto
import Testing

/// The incremental head and the level tree against RFC 6962's recursive definition, and
/// every proof they produce against the verifiers.
@Suite struct MerkleTreeTests {
    static func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        let hasher = TreeHasher()
        if leaves.isEmpty { return SHA256.hash([UInt8]()) }
        if leaves.count == 1 { return hasher.leafHash(leaves.first!) }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let start = leaves.startIndex
        return hasher.nodeHash(referenceRoot(leaves[start ..< start + k]), referenceRoot(leaves[(start + k)...]))
    }

    static let leaves: [[UInt8]] = (0 ..< 70).map { Array("leaf \($0)".utf8) }

    @Test func headAndTreeMatchTheRecursiveDefinition() throws {
        let hasher = TreeHasher()
        var head = TreeHead()
        var tree = MerkleTree()
        #expect(head.root(using: hasher) == TreeHasher.emptyRoot)
        for (index, leaf) in Self.leaves.enumerated() {
            head.append(leafHash: hasher.leafHash(leaf), using: hasher)
            tree.append(leafHash: hasher.leafHash(leaf), using: hasher)
            let expected = Self.referenceRoot(Self.leaves[0 ... index])
            #expect(head.root(using: hasher) == expected, "size \(index + 1)")
            #expect(try tree.root() == expected, "size \(index + 1)")
        }
        let restored = try TreeHead(size: head.size, edge: head.edge)
        #expect(restored == head)
        #expect(throws: AuditError.self) { try TreeHead(size: 5, edge: head.edge) }
    }

    @Test func everyInclusionProofVerifiesAndTamperingFails() throws {
        let hasher = TreeHasher()
        let tree = MerkleTree(leafHashes: Self.leaves.map(hasher.leafHash))
        for size in UInt64(1) ... UInt64(Self.leaves.count) {
            let root = try tree.root(treeSize: size)
            for index in 0 ..< size {
                let proof = try tree.inclusionProof(index: index, treeSize: size)
                try InclusionProof.verify(leafHash: tree.leafHash(at: index), index: index, treeSize: size, proof: proof, root: root)
                if !proof.isEmpty {
                    var forged = proof
                    forged[0][0] ^= 1
                    #expect(throws: AuditError.self) {
                        try InclusionProof.verify(leafHash: tree.leafHash(at: index), index: index, treeSize: size, proof: forged, root: root)
                    }
                }
            }
        }
    }

    @Test func everyConsistencyProofVerifiesAndTamperingFails() throws {
        let hasher = TreeHasher()
        let tree = MerkleTree(leafHashes: Self.leaves.map(hasher.leafHash))
        for size2 in UInt64(1) ... UInt64(Self.leaves.count) {
            for size1 in UInt64(1) ... size2 {
                let proof = try tree.consistencyProof(size1: size1, size2: size2)
                let root1 = try tree.root(treeSize: size1)
                let root2 = try tree.root(treeSize: size2)
                try ConsistencyProof.verify(size1: size1, size2: size2, proof: proof, root1: root1, root2: root2)
                if size1 < size2 {
                    #expect(throws: AuditError.self) {
                        try ConsistencyProof.verify(size1: size1, size2: size2, proof: proof, root1: root2, root2: root1)
                    }
                }
            }
        }
    }
}
