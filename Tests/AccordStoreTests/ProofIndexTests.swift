import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// The proof index against the whole tree held in memory: the same bytes for every proof,
/// while reading only the chunks a proof touches.
@Suite struct ProofIndexTests {
    /// Leaf hashes that a test appends to, read as a store would read them.
    final class Log: Sendable {
        let hashes = Mutex<[UInt8]>([])
        let reads = Mutex<[Range<UInt64>]>([])

        func append(_ count: Int) {
            let hasher = TreeHasher()
            hashes.withLock { hashes in
                let first = hashes.count / 32
                for n in first ..< first + count { hashes.append(contentsOf: hasher.leafHash(Array("leaf \(n)".utf8))) }
            }
        }

        func read(_ range: Range<UInt64>) throws(StoreError) -> [UInt8] {
            reads.withLock { $0.append(range) }
            let packed = hashes.withLock { $0 }
            guard range.upperBound * 32 <= packed.count else { throw StoreError(.corruptState, "leaf \(range.upperBound - 1) missing") }
            return Array(packed[Int(range.lowerBound) * 32 ..< Int(range.upperBound) * 32])
        }

        var tree: MerkleTree { MerkleTree(packedLeafHashes: hashes.withLock { $0 }) }

        func index(chunkSize: UInt64) -> ProofIndex {
            ProofIndex(chunkSize: chunkSize) { range throws(StoreError) in try self.read(range) }
        }
    }


    @Test(arguments: [1, 4, 8] as [UInt64])
    func inclusionProofsAreThoseOfTheWholeTree(chunkSize: UInt64) async throws {
        let log = Log()
        let index = log.index(chunkSize: chunkSize)
        var random = SplitMix64(seed: chunkSize)
        // The log grows between rounds, so the index is extended as well as built.
        for (grow, upTo) in [(37, 37), (100, 137), (163, 300)] {
            log.append(grow)
            let tree = log.tree
            for size in UInt64(1) ... UInt64(upTo) {
                let nearChunkEdge = [0, 1, chunkSize - 1].contains(size % chunkSize)
                let indexes = size <= 40 || nearChunkEdge ? Array(0 ..< size) : (0 ..< 6).map { _ in UInt64.random(in: 0 ..< size, using: &random) }
                let proofs = try await index.inclusionProofs(for: indexes, treeSize: size)
                for (leaf, proved) in zip(indexes, proofs) {
                    #expect(proved.proof == (try tree.inclusionProof(index: leaf, treeSize: size)), "leaf \(leaf) of \(size), chunks of \(chunkSize)")
                    #expect(proved.leafHash == tree.leafHash(at: leaf))
                }
                #expect(try await index.root(treeSize: size) == (try tree.root(treeSize: size)))
            }
        }
        #expect(await index.indexedLeaves == 300 / chunkSize * chunkSize)
    }

    @Test(arguments: [1, 4, 8] as [UInt64])
    func consistencyProofsAreThoseOfTheWholeTree(chunkSize: UInt64) async throws {
        let log = Log()
        log.append(130)
        let tree = log.tree
        let index = log.index(chunkSize: chunkSize)
        var pairs: [(size1: UInt64, size2: UInt64)] = []
        for size2 in UInt64(2) ... 130 {
            for size1 in UInt64(1) ..< size2 where size2 <= 34 || size1 % chunkSize <= 1 || size2 % chunkSize <= 1 || size1 % 7 == 0 {
                pairs.append((size1, size2))
            }
        }
        let proofs = try await index.consistencyProofs(pairs)
        for (pair, proof) in zip(pairs, proofs) {
            #expect(proof == (try tree.consistencyProof(size1: pair.size1, size2: pair.size2)), "\(pair.size1) -> \(pair.size2), chunks of \(chunkSize)")
        }
        await #expect(throws: StoreError.self) { try await index.consistencyProofs([(5, 5)]) }
        await #expect(throws: StoreError.self) { try await index.inclusionProofs(for: [130], treeSize: 130) }
    }

    @Test func aWarmProofReadsOnlyItsChunkAndTheLastOne() async throws {
        let log = Log()
        log.append(10_000)
        let index = log.index(chunkSize: 256)
        _ = try await index.inclusionProofs(for: [5], treeSize: 9_999)
        #expect(await index.indexedLeaves == 9_984)
        log.reads.withLock { $0 = [] }
        let proofs = try await index.inclusionProofs(for: [17, 4_000, 4_001], treeSize: 9_999)
        #expect(proofs.count == 3)
        let read = log.reads.withLock { $0 }
        let leavesRead: Int = read.map(\.count).reduce(0, +)
        #expect(leavesRead == 527, "\(read)")  // the chunks of 17 and of 4,000, and the 15 leaves of the last
        // A tree beyond the leaves stored is refused, not answered from a partial read.
        await #expect(throws: StoreError.self) { try await index.inclusionProofs(for: [3], treeSize: 10_001) }
    }

    @Test func theStoreReadsLeafHashesAndRefusesGaps() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration())
        try await store.whileRunning {
            _ = try await store.append((0 ..< 45).map { StoreFixture.record(.messageAccepted, message: "m\($0)") })
        }
        let stored = try await store.leaves(in: 0 ..< 45)
        let packed = try await store.leafHashes(in: 3 ..< 45)
        #expect(packed == stored[3...].flatMap(\.leafHash))
        await #expect(throws: StoreError.self) { try await store.leafHashes(in: 40 ..< 46) }
        let tree = MerkleTree(leafHashes: stored.map(\.leafHash))
        let index = ProofIndex(store: store, chunkSize: 8)
        let proofs = try await index.inclusionProofs(for: [0, 20, 44], treeSize: 45)
        #expect(proofs.map(\.proof) == [0, 20, 44].map { try! tree.inclusionProof(index: $0, treeSize: 45) })
    }
}

/// The hashes behind tlog-tiles hash tiles above level 0: any range's RFC 6962 hash, from the
/// chunk tree for whole chunks and from the chunks' leaves otherwise.
@Suite struct TileHashTests {
    @Test(arguments: [1, 4, 8] as [UInt64])
    func rangeHashesAreThoseOfTheWholeTree(chunkSize: UInt64) async throws {
        let hashes = (0 ..< 300).map { TreeHasher().leafHash(Array("leaf \($0)".utf8)) }
        let tree = MerkleTree(leafHashes: hashes)
        let packed = hashes.flatMap { $0 }
        let index = ProofIndex(chunkSize: chunkSize) { range throws(StoreError) in
            Array(packed[Int(range.lowerBound) * 32 ..< Int(range.upperBound) * 32])
        }
        let ranges: [Range<UInt64>] = [0 ..< 256, 0 ..< 16, 16 ..< 32, 256 ..< 272, 3 ..< 4, 0 ..< 1, 128 ..< 256]
        for treeSize: UInt64 in [272, 300] {
            let expected = try ranges.map { try tree.rangeHash(start: $0.lowerBound, end: $0.upperBound) }
            #expect(try await index.rangeHashes(ranges, treeSize: treeSize) == expected, "chunk \(chunkSize), size \(treeSize)")
        }
        await #expect(throws: StoreError.self) { try await index.rangeHashes([290 ..< 301], treeSize: 300) }
    }
}
