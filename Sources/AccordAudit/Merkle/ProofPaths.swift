/// The RFC 6962 proof recursions (section 2.1.1, audit paths, and 2.1.2, consistency proofs)
/// over any source of subtree hashes, so that a tree held whole in memory (`MerkleTree`) and
/// one held in part (AccordStore's `ProofIndex`) produce the same proofs by construction.
///
/// Every range passed to `subtreeHash` is a subtree of RFC 6962's recursion: it starts at a
/// multiple of the largest power of two not above its length, or ends at the tree size.
public enum ProofPaths {
    /// The audit path of leaf `index` in the tree of `treeSize` leaves; `index < treeSize`.
    public static func inclusion<E: Error>(
        index: UInt64, treeSize: UInt64, subtreeHash: (_ start: UInt64, _ end: UInt64) throws(E) -> [UInt8]
    ) throws(E) -> [[UInt8]] {
        precondition(index < treeSize, "leaf index outside the tree")
        var nodes: [[UInt8]] = []
        var start: UInt64 = 0
        var end = treeSize
        while end - start > 1 {
            let k = (end - start).largestPowerOfTwoBelow
            if index < start + k {
                nodes.append(try subtreeHash(start + k, end))
                end = start + k
            } else {
                nodes.append(try subtreeHash(start, start + k))
                start += k
            }
        }
        // The recursion appends on the way back up: the nodes nearest the leaf come first.
        return nodes.reversed()
    }

    /// The consistency proof between the first `size1` and the first `size2` leaves;
    /// `0 < size1 < size2`.
    public static func consistency<E: Error>(
        size1: UInt64, size2: UInt64, subtreeHash: (_ start: UInt64, _ end: UInt64) throws(E) -> [UInt8]
    ) throws(E) -> [[UInt8]] {
        precondition(size1 > 0 && size1 < size2, "consistency needs 0 < size1 < size2")
        var nodes: [[UInt8]] = []
        var m = size1
        var start: UInt64 = 0
        var end = size2
        var complete = true
        while true {
            let count = end - start
            if m == count {
                if !complete { nodes.append(try subtreeHash(start, end)) }
                break
            }
            let k = count.largestPowerOfTwoBelow
            if m <= k {
                nodes.append(try subtreeHash(start + k, end))
                end = start + k
            } else {
                nodes.append(try subtreeHash(start, start + k))
                m -= k
                start += k
                complete = false
            }
        }
        return nodes.reversed()
    }
}
