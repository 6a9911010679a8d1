/// The incremental head of an RFC 6962 tree: the roots of the perfect subtrees along the
/// right edge, largest first, so that an append costs O(log n) hashes amortised O(1), and
/// the root O(log n), never a recomputation of the whole tree.
public struct TreeHead: Sendable, Equatable {
    public private(set) var size: UInt64
    // INVARIANT: `edge[i]` is the root of the perfect subtree of 2^b leaves for the i-th set
    // bit b of `size`, most significant first; so `edge.count == size.nonzeroBitCount`.
    public private(set) var edge: [[UInt8]]

    public init() {
        size = 0
        edge = []
    }

    /// Restores a head from its stored right edge; refuses an edge that cannot belong to `size`.
    public init(size: UInt64, edge: [[UInt8]]) throws(AuditError) {
        guard edge.count == size.nonzeroBitCount, edge.allSatisfy({ $0.count == 32 }) else {
            throw AuditError(.invalidTreeSize, "a tree of \(size) leaves has \(size.nonzeroBitCount) edge hashes, not \(edge.count)")
        }
        self.size = size
        self.edge = edge
    }

    public mutating func append(leafHash: [UInt8], using hasher: TreeHasher) {
        var node = leafHash
        var remaining = size
        while remaining & 1 == 1 {
            node = hasher.nodeHash(edge.removeLast(), node)
            remaining >>= 1
        }
        edge.append(node)
        size += 1
    }

    public func root(using hasher: TreeHasher) -> [UInt8] {
        guard var root = edge.last else { return TreeHasher.emptyRoot }
        for node in edge.dropLast().reversed() {
            root = hasher.nodeHash(node, root)
        }
        return root
    }
}
