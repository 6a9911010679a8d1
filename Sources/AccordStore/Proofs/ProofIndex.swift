import AccordAudit

/// Inclusion and consistency proofs for the stored log that read only what they need, so a
/// search's proofs do not cost a pass over the whole log.
///
/// The roots of complete aligned chunks of `chunkSize` leaves are kept in memory as the level
/// 0 of a `MerkleTree`, and extended from the leaf hashes of new leaves as the log grows; in an
/// append-only log a complete chunk's root never changes. Every range in RFC 6962's proof
/// recursion is either a run of whole chunks, answered from that tree, or lies inside one
/// chunk: the chunk of the proved leaf, or the ragged last chunk of a tree size. Those chunks'
/// leaf hashes are read on demand. Proofs are byte for byte those of `MerkleTree` over all
/// leaves, since both follow `ProofPaths`.
///
/// Keep one index per store for the life of whoever reads it: its first use reads every leaf
/// hash once (32 bytes a leaf, never the leaves themselves); later uses read only new ones.
public actor ProofIndex {
    /// A leaf's stored hash and its audit path.
    public struct Inclusion: Sendable, Equatable {
        public let leafHash: [UInt8]
        public let proof: [[UInt8]]
    }

    /// Leaves per chunk; a power of two. The default, 256, keeps 64 bytes of chunk tree per
    /// 256 leaves (about 250 KiB a million) while a proof reads and hashes one or two chunks of
    /// 256 leaf hashes; docs/audit.md has the figures behind it.
    public nonisolated let chunkSize: UInt64
    private let read: @Sendable (Range<UInt64>) async throws(StoreError) -> [UInt8]
    // INVARIANT: chunkRoots.leafHash(at: c) is the root of leaves c·chunkSize ..< (c+1)·chunkSize.
    private var chunkRoots = MerkleTree()
    private let hasher = TreeHasher()

    /// Leaves per read while extending: about 2 MiB of hashes.
    private var chunksPerRead: UInt64 { max(1, 65_536 / chunkSize) }

    public init(store: any AuditReading, chunkSize: UInt64 = 256) {
        self.init(chunkSize: chunkSize) { range throws(StoreError) in try await store.leafHashes(in: range) }
    }

    /// An index over whatever `leafHashes` reads: the packed hashes of a range, all present.
    public init(chunkSize: UInt64 = 256, leafHashes: @escaping @Sendable (Range<UInt64>) async throws(StoreError) -> [UInt8]) {
        precondition(chunkSize > 0 && chunkSize & (chunkSize - 1) == 0, "the chunk size is a power of two")
        self.chunkSize = chunkSize
        self.read = leafHashes
    }

    /// Leaves whose chunk roots are held.
    public var indexedLeaves: UInt64 { chunkRoots.size * chunkSize }

    /// Each leaf's stored hash and audit path in the tree of `treeSize` leaves, in the order of
    /// `indexes`; every index must be below `treeSize`.
    public func inclusionProofs(for indexes: [UInt64], treeSize: UInt64) async throws(StoreError) -> [Inclusion] {
        if let outside = indexes.first(where: { $0 >= treeSize }) {
            throw StoreError(.invalidRecord, "leaf \(outside) is not in a tree of \(treeSize) leaves")
        }
        try await extend(toChunks: treeSize / chunkSize)
        var chunks = ChunkLeaves(chunkSize: chunkSize)
        for chunk in Set(indexes.map { $0 / chunkSize }).sorted() { try await load(chunk, upTo: treeSize, into: &chunks) }
        try await loadTail(of: treeSize, into: &chunks)
        return try indexes.map { index throws(StoreError) in
            let chunk = index / chunkSize
            let leafHash = try chunks.tree(chunk, reaching: index + 1).leafHash(at: index - chunk * chunkSize)
            let proof = try ProofPaths.inclusion(index: index, treeSize: treeSize) { start, end throws(StoreError) in
                try subtreeHash(start, end, chunks)
            }
            return Inclusion(leafHash: leafHash, proof: proof)
        }
    }

    /// Consistency proofs between tree sizes, in order; each pair must have
    /// `0 < size1 < size2`. Chunks read for one pair serve the others.
    public func consistencyProofs(_ pairs: [(size1: UInt64, size2: UInt64)]) async throws(StoreError) -> [[[UInt8]]] {
        if let bad = pairs.first(where: { $0.size1 == 0 || $0.size1 >= $0.size2 }) {
            throw StoreError(.invalidRecord, "no consistency proof from \(bad.size1) to \(bad.size2) leaves")
        }
        guard let largest = pairs.map(\.size2).max() else { return [] }
        try await extend(toChunks: largest / chunkSize)
        var proofs: [[[UInt8]]] = []
        var chunks = ChunkLeaves(chunkSize: chunkSize)
        for (size1, size2) in pairs {
            try await loadTail(of: size2, into: &chunks)
            if size1 % chunkSize != 0 { try await load(size1 / chunkSize, upTo: size2, into: &chunks) }
            proofs.append(try ProofPaths.consistency(size1: size1, size2: size2) { start, end throws(StoreError) in
                try subtreeHash(start, end, chunks)
            })
        }
        return proofs
    }

    /// The root of the first `treeSize` leaves.
    public func root(treeSize: UInt64) async throws(StoreError) -> [UInt8] {
        guard treeSize > 0 else { return TreeHasher.emptyRoot }
        try await extend(toChunks: treeSize / chunkSize)
        var chunks = ChunkLeaves(chunkSize: chunkSize)
        try await loadTail(of: treeSize, into: &chunks)
        return try subtreeHash(0, treeSize, chunks)
    }

    /// The RFC 6962 hashes of `ranges` of leaves within the first `treeSize`, in order: the
    /// hashes of a tlog-tiles hash tile above level 0, each a run of whole chunks.
    public func rangeHashes(_ ranges: [Range<UInt64>], treeSize: UInt64) async throws(StoreError) -> [[UInt8]] {
        if let outside = ranges.first(where: { $0.isEmpty || $0.upperBound > treeSize }) {
            throw StoreError(.invalidRecord, "leaves \(outside.lowerBound)..<\(outside.upperBound) are not in a tree of \(treeSize) leaves")
        }
        try await extend(toChunks: treeSize / chunkSize)
        var chunks = ChunkLeaves(chunkSize: chunkSize)
        for range in ranges where range.lowerBound % chunkSize != 0 || range.upperBound % chunkSize != 0 {
            try await load(range.lowerBound / chunkSize, upTo: treeSize, into: &chunks)
            try await load((range.upperBound - 1) / chunkSize, upTo: treeSize, into: &chunks)
        }
        return try ranges.map { range throws(StoreError) in try subtreeHash(range.lowerBound, range.upperBound, chunks) }
    }

    /// Reads the leaf hashes of chunks not yet held, up to `target` complete chunks.
    private func extend(toChunks target: UInt64) async throws(StoreError) {
        while chunkRoots.size < target {
            let first = chunkRoots.size
            let end = min(target, first + chunksPerRead)
            let packed = try await read(first * chunkSize ..< end * chunkSize)
            // Another call may have extended the index while this one read.
            guard chunkRoots.size == first else { continue }
            let bytes = Int(chunkSize) * 32
            for chunk in 0 ..< Int(end - first) {
                let tree = MerkleTree(packedLeafHashes: Array(packed[chunk * bytes ..< (chunk + 1) * bytes]), using: hasher)
                chunkRoots.append(leafHash: try Self.checked { () throws(AuditError) in try tree.root(using: hasher) }, using: hasher)
            }
        }
    }

    private func loadTail(of treeSize: UInt64, into chunks: inout ChunkLeaves) async throws(StoreError) {
        if treeSize % chunkSize != 0 { try await load(treeSize / chunkSize, upTo: treeSize, into: &chunks) }
    }

    /// Makes the leaves of `chunk` below `limit` available, reading them unless held.
    private func load(_ chunk: UInt64, upTo limit: UInt64, into chunks: inout ChunkLeaves) async throws(StoreError) {
        let start = chunk * chunkSize
        let end = min(start + chunkSize, limit)
        if chunks.holds(chunk, reaching: end) { return }
        chunks.trees[chunk] = MerkleTree(packedLeafHashes: try await read(start ..< end), using: hasher)
    }

    /// RFC 6962's hash of leaves `start ..< end`: from chunk roots for whole chunks, from one
    /// chunk's leaves inside it, else split as the recursion splits.
    private func subtreeHash(_ start: UInt64, _ end: UInt64, _ chunks: ChunkLeaves) throws(StoreError) -> [UInt8] {
        if start % chunkSize == 0, end % chunkSize == 0, end / chunkSize <= chunkRoots.size {
            return try Self.checked { () throws(AuditError) in
                try chunkRoots.rangeHash(start: start / chunkSize, end: end / chunkSize, using: hasher)
            }
        }
        let chunk = start / chunkSize
        if chunk == (end - 1) / chunkSize {
            let tree = try chunks.tree(chunk, reaching: end)
            return try Self.checked { () throws(AuditError) in
                try tree.rangeHash(start: start - chunk * chunkSize, end: end - chunk * chunkSize, using: hasher)
            }
        }
        let count = end - start
        let k: UInt64 = 1 << (63 - (count - 1).leadingZeroBitCount)
        return hasher.nodeHash(try subtreeHash(start, start + k, chunks), try subtreeHash(start + k, end, chunks))
    }

    private static func checked<T>(_ body: () throws(AuditError) -> T) throws(StoreError) -> T {
        do { return try body() } catch {
            throw StoreError(.corruptState, "proof index: \(error.description)")
        }
    }
}

/// The leaves of the chunks one request touches, each as a small tree of its own.
private struct ChunkLeaves {
    let chunkSize: UInt64
    var trees: [UInt64: MerkleTree] = [:]

    func holds(_ chunk: UInt64, reaching end: UInt64) -> Bool {
        guard let tree = trees[chunk] else { return false }
        return chunk * chunkSize + tree.size >= end
    }

    /// The tree of `chunk`, which must hold the leaves before `end`.
    func tree(_ chunk: UInt64, reaching end: UInt64) throws(StoreError) -> MerkleTree {
        guard holds(chunk, reaching: end), let tree = trees[chunk] else {
            throw StoreError(.corruptState, "proof index: the leaves of chunk \(chunk) before \(end) were not read")
        }
        return tree
    }
}
