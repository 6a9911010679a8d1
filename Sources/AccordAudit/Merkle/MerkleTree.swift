import AccordCore

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

    /// A tree over leaf hashes stored back to back, 32 bytes each, built a level at a time.
    public init(packedLeafHashes packed: [UInt8], using hasher: TreeHasher = TreeHasher()) {
        precondition(packed.count % 32 == 0, "leaf hashes are 32 bytes")
        levels = [packed]
        size = UInt64(packed.count / 32)
        while levels[levels.count - 1].count >= 64 {
            let below = levels[levels.count - 1]
            var level: [UInt8] = []
            level.reserveCapacity(below.count / 64 * 32)
            below.withUnsafeBytes { nodes in
                for pair in 0 ..< below.count / 64 {
                    let parent = hasher.nodeHash(Digest(bytes: UnsafeRawBufferPointer(rebasing: nodes[pair * 64 ..< pair * 64 + 32]))!,
                                                 Digest(bytes: UnsafeRawBufferPointer(rebasing: nodes[pair * 64 + 32 ..< pair * 64 + 64]))!)
                    parent.withUnsafeBytes { level.append(contentsOf: $0) }
                }
            }
            levels.append(level)
        }
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
        return ProofPaths.inclusion(index: index, treeSize: treeSize) { start, end in subtreeHash(start, end, hasher) }
    }

    /// The consistency proof between the first `size1` and the first `size2` leaves (RFC 6962 2.1.2).
    public func consistencyProof(size1: UInt64, size2: UInt64, using hasher: TreeHasher = TreeHasher()) throws(AuditError) -> [[UInt8]] {
        guard size2 <= size else { throw AuditError(.invalidTreeSize, "tree size \(size2) exceeds the \(size) leaves held") }
        guard size1 <= size2 else { throw AuditError(.invalidTreeSize, "first size \(size1) exceeds second size \(size2)") }
        guard size1 > 0, size1 < size2 else { return [] }
        return ProofPaths.consistency(size1: size1, size2: size2) { start, end in subtreeHash(start, end, hasher) }
    }

    /// The RFC 6962 hash of the leaves in `start ..< end` (MTH of that range): a stored node
    /// when the range is a complete aligned subtree, else combined from stored nodes.
    public func rangeHash(start: UInt64, end: UInt64, using hasher: TreeHasher = TreeHasher()) throws(AuditError) -> [UInt8] {
        guard start < end, end <= size else {
            throw AuditError(.invalidTreeSize, "leaves \(start)..<\(end) are not a non-empty range of the \(size) held")
        }
        return subtreeHash(start, end, hasher)
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
}
