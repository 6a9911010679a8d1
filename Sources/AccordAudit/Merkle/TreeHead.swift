import AccordCore

/// The incremental head of an RFC 6962 tree: the roots of the perfect subtrees along the
/// right edge, largest first, so that an append costs O(log n) hashes amortised O(1), and
/// the root O(log n), never a recomputation of the whole tree.
public struct TreeHead: Sendable, Equatable {
    public private(set) var size: UInt64
    // INVARIANT: `nodes[i]` is the root of the perfect subtree of 2^b leaves for the i-th set
    // bit b of `size`, most significant first; so `nodes.count == size.nonzeroBitCount`.
    private var nodes: [Digest]

    /// The right edge as stored: the subtree roots, largest first.
    public var edge: [[UInt8]] { nodes.map(\.bytes) }

    public init() {
        size = 0
        nodes = []
        nodes.reserveCapacity(64)
    }

    /// Restores a head from its stored right edge; refuses an edge that cannot belong to `size`.
    public init(size: UInt64, edge: [[UInt8]]) throws(AuditError) {
        guard edge.count == size.nonzeroBitCount, edge.allSatisfy({ $0.count == 32 }) else {
            throw AuditError(.invalidTreeSize, "a tree of \(size) leaves has \(size.nonzeroBitCount) edge hashes, not \(edge.count)")
        }
        self.size = size
        self.nodes = edge.map { Digest(bytes: $0)! }
        nodes.reserveCapacity(64)
    }

    public mutating func append(leafHash: [UInt8], using hasher: TreeHasher) {
        // INVARIANT: leaf hashes are 32 bytes, as every caller computes them.
        append(Digest(bytes: leafHash)!, using: hasher)
    }

    mutating func append(_ leafHash: Digest, using hasher: TreeHasher) {
        var node = leafHash
        var remaining = size
        while remaining & 1 == 1 {
            node = hasher.nodeHash(nodes.removeLast(), node)
            remaining >>= 1
        }
        nodes.append(node)
        size += 1
    }

    public func root(using hasher: TreeHasher) -> [UInt8] {
        guard var root = nodes.last else { return TreeHasher.emptyRoot }
        for node in nodes.dropLast().reversed() {
            root = hasher.nodeHash(node, root)
        }
        return root.bytes
    }
}
