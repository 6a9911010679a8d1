import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file on a connection of its own, so that
/// commits do not wait for it.
///
/// By default SQLite runs this copy, with a flush of the database file, inside the commit that
/// takes the log past 1,000 pages, about twenty times a second at the gateway's maximum rate,
/// and every caller in that batch waits for it (docs/performance.md, "The write-ahead log's
/// checkpoint"). The writer's connection has automatic checkpoints off. This copies the log in
/// `PASSIVE` mode, which never waits for the writer or for readers, at most once per interval
/// after commits, and not at all while nothing is committed. The log can only start again
/// from its beginning once every frame has been copied before the writer's next transaction
/// begins, which a copy beside a busy writer never achieves; so once the log is long, this
/// copies again until a pass finds little new, then asks the writer to copy that remainder
/// itself between two batches (`takeFinishRequest`).
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let interval: Duration
    /// Frames in the log past which it is brought back to its beginning.
    private let restartFrames: Int
    /// One element stands for any number of commits not yet copied, so that an idle gateway's
    /// checkpointer sleeps until the next commit instead of waking every interval.
    private let commits: AsyncStream<Void>
    private let commitSignal: AsyncStream<Void>.Continuation
    private let finishRequested = Atomic<Bool>(false)
    /// How many times the loop has woken to copy, for the test that an idle store does not.
    let wakeUps = Atomic<Int>(0)

    init(path: String, interval: Duration, restartFrames: Int) throws {
        var configuration = Configuration()
        configuration.label = "wal-checkpoint"
        self.connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.restartFrames = restartFrames
        (commits, commitSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Called by the writer after each commit: the log has grown.
    func noteCommit() {
        commitSignal.yield()
    }

    /// True once, when the writer should copy the last frames itself (`SQLiteStore.writerLoop`).
    func takeFinishRequest() -> Bool {
        finishRequested.exchange(false, ordering: .acquiringAndReleasing)
    }

    /// Checkpoints after commits until cancelled.
    func run() async {
        for await _ in commits {
            // The commits of one interval share one copy.
            do { try await Task.sleep(for: interval) } catch { return }
            wakeUps.add(1, ordering: .relaxed)
            do {
                var frames = try await passive()
                guard frames >= restartFrames else { continue }
                // Each pass copies what was committed during the one before; stop when that is little.
                for _ in 0 ..< 4 {
                    let next = try await passive()
                    defer { frames = next }
                    if next - frames < Self.smallRemainder { break }
                }
                finishRequested.store(true, ordering: .releasing)
            } catch {
                // The log keeps every commit durable meanwhile and only grows until a later pass
                // succeeds. What makes this fail (a full disk, an I/O error) fails the writer's
                // commits too, and `/readyz` reports those.
                commitSignal.yield()
            }
        }
    }

    private static let smallRemainder = 256

    /// One `PASSIVE` checkpoint; returns the frames in the log when it began.
    private func passive() async throws -> Int {
        try await connection.writeWithoutTransaction { db in
            // The row is (busy, frames in the log, frames now copied).
            try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)").map { $0[1] as Int } ?? 0
        }
    }
}
