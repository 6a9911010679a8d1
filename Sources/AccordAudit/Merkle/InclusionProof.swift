/// Verification of an RFC 6962 audit path (RFC 9162 section 2.1.3.2): that the leaf with
/// `leafHash` sits at `index` in the tree of `treeSize` leaves whose root is `root`.
public enum InclusionProof {
    public static func verify(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]], root: [UInt8],
        using hasher: TreeHasher = TreeHasher()
    ) throws(AuditError) {
        let computed = try rootFromProof(leafHash: leafHash, index: index, treeSize: treeSize, proof: proof, using: hasher)
        guard computed == root else {
            throw AuditError(.rootMismatch, "inclusion proof for leaf \(index) in a tree of \(treeSize) leads to a different root")
        }
    }

    /// The root that `proof` implies for the leaf; throws when the proof has the wrong shape.
    public static func rootFromProof(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]], using hasher: TreeHasher
    ) throws(AuditError) -> [UInt8] {
        guard index < treeSize else {
            throw AuditError(.indexOutOfRange, "leaf index \(index) is not in a tree of \(treeSize) leaves")
        }
        guard leafHash.count == 32, proof.allSatisfy({ $0.count == 32 }) else {
            throw AuditError(.proofInvalid, "leaf hash and proof hashes must be 32 bytes")
        }
        var fn = index
        var sn = treeSize - 1
        var result = leafHash
        for node in proof {
            guard sn != 0 else { throw AuditError(.proofInvalid, "inclusion proof for leaf \(index) is too long") }
            if fn & 1 == 1 || fn == sn {
                result = hasher.nodeHash(node, result)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                result = hasher.nodeHash(result, node)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw AuditError(.proofInvalid, "inclusion proof for leaf \(index) is too short") }
        return result
    }
}
