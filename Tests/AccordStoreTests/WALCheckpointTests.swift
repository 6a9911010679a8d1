import AccordAudit
import AccordCore
@testable import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The write-ahead log is copied into the database file beside the writer, not inside its
/// commits, and still starts again from its beginning under steady writes, so that it stays
/// bounded (docs/performance.md, "The write-ahead log's checkpoint").
@Suite struct WALCheckpointTests {
    @Test func theWritersCommitsDoNotCopyTheLog() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        let store = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        #expect(try await store.walAutocheckpointPages() == 0)
    }

    /// An idle gateway's checkpointer sleeps until the next commit rather than waking every
    /// interval to find nothing to copy.
    @Test func anIdleStoreLeavesTheCheckpointerAsleep() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        var configuration = try StoreFixture.configuration()
        configuration.walCheckpointInterval = .milliseconds(5)
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        try await store.whileRunning {
            _ = try await store.accept(StoreFixture.submission("first"))
            #expect(await eventually { store.walCheckpointWakeUps >= 1 }, "a commit did not wake the checkpointer")
            try await Task.sleep(for: .milliseconds(50))
            let settled = store.walCheckpointWakeUps
            // Forty intervals with nothing committed.
            try await Task.sleep(for: .milliseconds(200))
            #expect(store.walCheckpointWakeUps == settled, "the checkpointer woke \(store.walCheckpointWakeUps - settled) times with nothing to copy")
            _ = try await store.accept(StoreFixture.submission("second"))
            #expect(await eventually { store.walCheckpointWakeUps > settled }, "the next commit did not wake the checkpointer")
        }
    }

    @Test func underSteadyWritesTheLogIsCopiedBackAndStartsAgain() async throws {
        let run = try await Self.steadyWrites(restartFrames: 64)
        // The log was copied into the database file while running.
        #expect(run.databaseBytes > 256 * 1024, "the database file holds \(run.databaseBytes) bytes: the log was not copied")
        // A message adds about 32 KB to the log, so some 64 MB went through it. Had it never
        // started again it would have grown by most of that, as it does when the writer does not
        // copy the last frames itself (11 to 23 MB on a quiet machine); it starts again past 64
        // pages and was measured at 1 to 1.7 MB at its longest, on a quiet machine and a loaded one.
        #expect(run.longestLog < 4 << 20, "the log reached \(run.longestLog) bytes: it did not start again")
        // Nothing committed was lost on the way.
        #expect(run.leaves == Self.messages)
    }

    private static let messages = 2000
    /// Enough that the writer always has a batch waiting, even on a loaded machine: a writer
    /// that pauses lets a copy catch up, and the log starts again without the writer's help.
    private static let senders = 32

    /// Commits `messages` submissions from `senders` at once, with the copy every 5 ms, and returns the
    /// longest the log file grew, the database file's size before stopping, and the leaves
    /// that verify after reopening.
    private static func steadyWrites(restartFrames: Int) async throws -> (longestLog: Int, databaseBytes: Int, leaves: UInt64) {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        var configuration = try StoreFixture.configuration()
        configuration.walCheckpointInterval = .milliseconds(5)
        configuration.walRestartFrames = restartFrames
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        var longestLog = 0
        var databaseBytes = 0
        try await store.whileRunning {
            // Senders that keep the writer busy: a copy beside it never finds the log all copied.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for sender in 0 ..< senders {
                    group.addTask {
                        var longest = 0
                        for n in stride(from: sender, to: messages, by: senders) {
                            _ = try await store.accept(StoreFixture.submission(MessageID("m\(n)"), passport: "P\(n)"))
                            longest = max(longest, size(path + "-wal"))
                        }
                        return longest
                    }
                }
                for try await longest in group { longestLog = max(longestLog, longest) }
            }
            databaseBytes = size(path)
        }
        let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        let outcome = try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier,
                                                 pageSize: 100, progress: { _, _ in })
        guard case .verified(let summary) = outcome else {
            Issue.record("the log does not verify after the copies: \(outcome)")
            return (longestLog, databaseBytes, 0)
        }
        return (longestLog, databaseBytes, summary.leafCount)
    }

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
