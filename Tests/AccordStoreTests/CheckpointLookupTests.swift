import AccordAudit
import Foundation
import Testing

@testable import AccordStore

/// The latest checkpoint and the first one covering a leaf are looked up by index, and agree
/// with the full list they replace on the console's and the probes' paths.
@Suite struct CheckpointLookupTests {
    @Test func latestAndCoveringCheckpointsAgreeWithTheFullList() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration())
        #expect(try await store.latestCheckpoint() == nil)
        try await store.whileRunning {
            for round in 0 ..< 5 {
                for item in 0 ..< (round + 1) {
                    _ = try await store.accept(StoreFixture.submission("m\(round)-\(item)"))
                }
                _ = try await store.checkpointNow()
            }
        }
        let all = try await store.checkpoints()
        #expect(all.map(\.size) == [1, 3, 6, 10, 15])
        #expect(try await store.latestCheckpoint() == all.last)
        for index: UInt64 in [0, 2, 3, 9, 14] {
            #expect(try await store.firstCheckpoint(covering: index) == all.first { $0.size > index }, "leaf \(index)")
        }
        #expect(try await store.firstCheckpoint(covering: 15) == nil, "nothing covers a leaf not yet signed")
    }
}

/// The checkpoints an inclusion proof may come with under a witnessing policy: the smallest
/// sizes above a leaf that enough of the named witnesses cosigned, on each backend.
@Suite struct CosignedCheckpointLookupTests {
    @Test(arguments: StoreBackend.available) func theFirstCosignedSizesAboveALeafAreFound(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            let cosignatures = try #require(store as? any CosignatureStore)
            try await store.whileRunning {
                for round in 0 ..< 4 {
                    for item in 0 ... round { _ = try await store.accept(StoreFixture.submission("m\(round)-\(item)")) }
                    _ = try await store.checkpointNow()
                }
                #expect(try await store.checkpoints().map(\.size) == [1, 3, 6, 10])
                for (size, witness) in [(3, "a"), (6, "a"), (6, "b"), (10, "b"), (10, "elsewhere")] as [(UInt64, String)] {
                    try await cosignatures.recordCosignature(StoredCosignature(
                        checkpointSize: size, witness: witness, signatureLine: "\u{2014} \(witness) AAAA\n", receivedAt: Date()))
                }
                func sizes(above leaf: UInt64, _ count: Int, of names: [String] = ["a", "b"], limit: Int = 20) async throws -> [UInt64] {
                    try await cosignatures.cosignedSizes(above: leaf, byAtLeast: count, of: names, limit: limit)
                }
                #expect(try await sizes(above: 0, 1) == [3, 6, 10])
                #expect(try await sizes(above: 3, 1) == [6, 10], "a checkpoint of size 3 does not cover leaf 3")
                #expect(try await sizes(above: 0, 2) == [6], "only one of the two named witnesses cosigned 3 and 10")
                #expect(try await sizes(above: 0, 1, of: ["a"], limit: 1) == [3])
                #expect(try await sizes(above: 9, 1, of: ["a"]) == [])
                #expect(try await sizes(above: 0, 1, of: []) == [])
            }
        }
    }
}
