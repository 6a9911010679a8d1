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
