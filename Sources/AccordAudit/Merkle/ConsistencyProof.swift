/// Verification of an RFC 6962 consistency proof (RFC 9162 section 2.1.4.2): that the tree
/// of `size2` leaves with `root2` extends the tree of `size1` leaves with `root1`.
///
/// A proof from the empty tree is refused rather than accepted vacuously: it proves nothing,
/// and the published vectors treat it as an error.
public enum ConsistencyProof {
    public static func verify(
        size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8], root2: [UInt8],
        using hasher: TreeHasher = TreeHasher()
    ) throws(AuditError) {
        guard size1 <= size2 else {
            throw AuditError(.invalidTreeSize, "first tree size \(size1) is larger than second tree size \(size2)")
        }
        if size1 == size2 {
            guard proof.isEmpty else { throw AuditError(.proofInvalid, "trees of equal size need an empty proof") }
            if size1 == 0, root1 != TreeHasher.emptyRoot {
                throw AuditError(.rootMismatch, "the empty tree has root SHA-256(\"\")")
            }
            guard root1 == root2 else { throw AuditError(.rootMismatch, "trees of equal size \(size1) have different roots") }
            return
        }
        guard size1 > 0 else {
            throw AuditError(.invalidTreeSize, "no consistency proof exists from the empty tree")
        }
        guard !proof.isEmpty else { throw AuditError(.proofInvalid, "consistency proof is empty") }
        guard proof.allSatisfy({ $0.count == 32 }) else { throw AuditError(.proofInvalid, "proof hashes must be 32 bytes") }

        var path = proof[...]
        if size1.isPowerOfTwo { path = [root1] + proof }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var firstRoot = path[path.startIndex]
        var secondRoot = firstRoot
        for node in path.dropFirst() {
            guard sn != 0 else { throw AuditError(.proofInvalid, "consistency proof \(size1)→\(size2) is too long") }
            if fn & 1 == 1 || fn == sn {
                firstRoot = hasher.nodeHash(node, firstRoot)
                secondRoot = hasher.nodeHash(node, secondRoot)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                secondRoot = hasher.nodeHash(secondRoot, node)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw AuditError(.proofInvalid, "consistency proof \(size1)→\(size2) is too short") }
        guard firstRoot == root1 else { throw AuditError(.rootMismatch, "consistency proof does not lead to the first root") }
        guard secondRoot == root2 else { throw AuditError(.rootMismatch, "consistency proof does not lead to the second root") }
    }
}
