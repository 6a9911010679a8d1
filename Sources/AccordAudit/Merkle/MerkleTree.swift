/// An RFC 6962 tree held in memory as levels of complete nodes, to produce inclusion and
/// consistency proofs in O(log² n) for any tree size up to its own. Building it costs one
/// hash per interior node; proofs then cost a handful more at the ragged right edge.
public struct MerkleTree: Sendable {
    // INVARIANT: levels[k] holds, flat and 32 bytes each, the roots of the complete subtrees
    // of 2^k leaves aligned at multiples of 2^k; levels[0] holds the leaf hashes.
    private var levels: [[UInt8]]
    public private(set) var size: UInt64

    public init() {
        levels = [[]]
        size = 0
    }

    public init(leafHashes: some Sequence<[UInt8]>, using hasher: TreeHasher = TreeHasher()) {
        self.init()
        for hash in leafHashes { append(leafHash: hash, using: hasher) }
    }

    public mutating func append(leafHash: [UInt8], using hasher: TreeHasher) {
        precondition(leafHash.count == 32, "leaf hashes are 32 bytes")
        levels[0].append(contentsOf: leafHash)
        size += 1
        var level = 0
        var count = size
        while count & 1 == 0 {
            let nodes = levels[level].count / 32
            let left = levels[level][(nodes - 2) * 32 ..< (nodes - 1) * 32]
            let right = levels[level][(nodes - 1) * 32 ..< nodes * 32]
            let parent = hasher.nodeHash(Array(left), Array(right))
            level += 1
            if levels.count == level { levels.append([]) }
            levels[level].append(contentsOf: parent)
            count >>= 1
        }
    }

    public func leafHash(at index: UInt64) -> [UInt8] {
        node(level: 0, index: index)
    }

    /// The root of the first `treeSize` leaves.
    public func root(treeSize: UInt64? = nil, using hasher: TreeHasher = TreeHasher()) throws(AuditError) -> [UInt8] {
        let n = treeSize ?? size
        guard n <= size else { throw AuditError(.invalidTreeSize, "tree size \(n) exceeds the \(size) leaves held") }
        guard n > 0 else { return TreeHasher.emptyRoot }
        return subtreeHash(0, n, hasher)
    }

    /// The audit path of leaf `index` in the tree of the first `treeSize` leaves (RFC 6962 2.1.1).
    public func inclusionProof(index: UInt64, treeSize: UInt64, using hasher: TreeHasher = TreeHasher()) throws(AuditError) -> [[UInt8]] {
        guard treeSize <= size else { throw AuditError(.invalidTreeSize, "tree size \(treeSize) exceeds the \(size) leaves held") }
        guard index < treeSize else { throw AuditError(.indexOutOfRange, "leaf index \(index) is not in a tree of \(treeSize) leaves") }
        var proof: [[UInt8]] = []
        path(index, 0, treeSize, hasher, &proof)
        return proof
    }

    /// The consistency proof between the first `size1` and the first `size2` leaves (RFC 6962 2.1.2).
    public func consistencyProof(size1: UInt64, size2: UInt64, using hasher: TreeHasher = TreeHasher()) throws(AuditError) -> [[UInt8]] {
        guard size2 <= size else { throw AuditError(.invalidTreeSize, "tree size \(size2) exceeds the \(size) leaves held") }
        guard size1 <= size2 else { throw AuditError(.invalidTreeSize, "first size \(size1) exceeds second size \(size2)") }
        guard size1 > 0, size1 < size2 else { return [] }
        var proof: [[UInt8]] = []
        subproof(size1, 0, size2, true, hasher, &proof)
        return proof
    }

    private func node(level: Int, index: UInt64) -> [UInt8] {
        let start = Int(index) * 32
        return Array(levels[level][start ..< start + 32])
    }

    private func subtreeHash(_ start: UInt64, _ end: UInt64, _ hasher: TreeHasher) -> [UInt8] {
        let count = end - start
        if count.isPowerOfTwo, start % count == 0 {
            return node(level: count.trailingZeroBitCount, index: start >> count.trailingZeroBitCount)
        }
        let k = count.largestPowerOfTwoBelow
        return hasher.nodeHash(subtreeHash(start, start + k, hasher), subtreeHash(start + k, end, hasher))
    }

    private func path(_ m: UInt64, _ start: UInt64, _ end: UInt64, _ hasher: TreeHasher, _ proof: inout [[UInt8]]) {
        let count = end - start
        guard count > 1 else { return }
        let k = count.largestPowerOfTwoBelow
        if m < k {
            path(m, start, start + k, hasher, &proof)
            proof.append(subtreeHash(start + k, end, hasher))
        } else {
            path(m - k, start + k, end, hasher, &proof)
            proof.append(subtreeHash(start, start + k, hasher))
        }
    }

    private func subproof(_ m: UInt64, _ start: UInt64, _ end: UInt64, _ complete: Bool, _ hasher: TreeHasher, _ proof: inout [[UInt8]]) {
        let count = end - start
        if m == count {
            if !complete { proof.append(subtreeHash(start, end, hasher)) }
            return
        }
        let k = count.largestPowerOfTwoBelow
        if m <= k {
            subproof(m, start, start + k, complete, hasher, &proof)
            proof.append(subtreeHash(start + k, end, hasher))
        } else {
            subproof(m - k, start + k, end, false, hasher, &proof)
            proof.append(subtreeHash(start, start + k, hasher))
        }
    }
}
