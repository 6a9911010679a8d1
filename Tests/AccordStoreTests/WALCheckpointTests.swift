import AccordAudit
import AccordCore
import AccordStore
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

    @Test func underSteadyWritesTheLogIsCopiedBackAndStartsAgain() async throws {
        // The same writes twice: once with the log brought back past 64 pages, once never.
        let restarted = try await Self.steadyWrites(restartFrames: 64)
        let unbounded = try await Self.steadyWrites(restartFrames: .max)

        // Both copied the log into the database file while running.
        #expect(restarted.databaseBytes > 256 * 1024, "the database file holds \(restarted.databaseBytes) bytes: the log was not copied")
        #expect(unbounded.databaseBytes > 256 * 1024, "the database file holds \(unbounded.databaseBytes) bytes: the log was not copied")
        // Only a log that starts again stays short: the file keeps its longest length.
        #expect(restarted.longestLog * 4 < unbounded.longestLog,
                "the log reached \(restarted.longestLog) bytes, against \(unbounded.longestLog) when it never starts again")
        // Nothing committed was lost on the way.
        #expect(restarted.leaves == Self.messages && unbounded.leaves == Self.messages)
    }

    private static let messages = 2000
    private static let senders = 16

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
