import AccordAudit
public import Foundation
import GRDB
import Synchronization

/// How far the signed checkpoints lag behind the log: what `/readyz` and the
/// `accord_checkpoint_age_seconds` metric report.
public struct CheckpointStatus: Sendable, Equatable {
    /// Leaves in the log.
    public let leaves: UInt64
    /// Leaves the latest checkpoint covers.
    public let checkpointedLeaves: UInt64
    /// When the latest checkpoint was signed; nil before the first.
    public let lastCheckpoint: Date?
    /// When the first leaf no checkpoint covers was written; nil when every leaf is covered.
    public let firstUncoveredLeaf: Date?

    public init(leaves: UInt64, checkpointedLeaves: UInt64, lastCheckpoint: Date?, firstUncoveredLeaf: Date?) {
        self.leaves = leaves
        self.checkpointedLeaves = checkpointedLeaves
        self.lastCheckpoint = lastCheckpoint
        self.firstUncoveredLeaf = firstUncoveredLeaf
    }

    /// How long the log has gone, at `now`, without a checkpoint covering all of it: zero when
    /// one does. Counted from the later of the latest checkpoint and the first leaf after it,
    /// so that a gateway idle for hours is not stale the moment a new leaf arrives; only a
    /// writer that stops signing makes it grow.
    public func age(at now: Date) -> TimeInterval {
        guard let firstUncoveredLeaf, leaves > checkpointedLeaves else { return 0 }
        let since = max(firstUncoveredLeaf, lastCheckpoint ?? firstUncoveredLeaf)
        return max(0, now.timeIntervalSince(since))
    }
}

/// The database's health, for `/readyz`.
public struct DatabaseHealth: Sendable, Equatable {
    /// Why the database cannot take writes, or nil when it can as far as is known.
    public let problem: String?

    public init(problem: String?) {
        self.problem = problem
    }

    public var isWritable: Bool { problem == nil }
}

extension SQLiteStore {
    /// Two indexed reads: cheap enough for every probe and scrape.
    public func checkpointStatus() async throws(StoreError) -> CheckpointStatus {
        try await read { db in
            let leaves = UInt64(try Int64.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM audit_leaf") ?? 0)
            let last = try Row.fetchOne(db, sql: "SELECT size, created_ms FROM audit_checkpoint ORDER BY seq DESC LIMIT 1")
            let covered = last.map { UInt64($0["size"] as Int64) } ?? 0
            let firstUncovered = covered < leaves
                ? try Int64.fetchOne(db, sql: "SELECT time_ms FROM audit_leaf WHERE idx = ?", arguments: [Int64(covered)]).map(AuditTime.date(milliseconds:))
                : nil
            return CheckpointStatus(leaves: leaves, checkpointedLeaves: covered,
                                    lastCheckpoint: last.map { AuditTime.date(milliseconds: $0["created_ms"]) }, firstUncoveredLeaf: firstUncovered)
        }
    }

    /// Deliveries in `state` now (the index on state makes this cheap for the rare states).
    public func deliveryCount(in state: DeliveryState) async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM delivery WHERE state = ?", arguments: [state.rawValue]) ?? 0 }
    }

    /// Whether the database can take writes, without writing: a probe that wrote would add to
    /// the WAL every few seconds and queue behind the writer's batches. It fails when the store
    /// was opened for reading, when the writer's last transaction failed (a full disk, an I/O
    /// error; the writer's checkpoint timer retries, so this clears once a write succeeds), or
    /// when the file or its directory is no longer writable (a read-only remount, a changed mode).
    /// One writer holds a SQLite database: the key it signs with is the key in force.
    public func auditKeyInForce() async throws(StoreError) -> String? { nil }

    public func databaseHealth() async -> DatabaseHealth {
        guard writable else { return DatabaseHealth(problem: "opened for reading only") }
        if let failure = lastWriteFailure.withLock({ $0 }) {
            return DatabaseHealth(problem: "the last write failed (\(failure.code.rawValue))")
        }
        let path = database.path
        if path != ":memory:", !path.isEmpty {
            let directory = (path as NSString).deletingLastPathComponent
            for (file, what) in [(path, "the database file"), (directory.isEmpty ? "." : directory, "its directory")] where access(file, W_OK) != 0 {
                let reason = String(cString: strerror(errno))
                return DatabaseHealth(problem: "\(what) is not writable (\(reason))")
            }
        }
        do { _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") } } catch {
            return DatabaseHealth(problem: "the database does not answer (\(error.code.rawValue))")
        }
        return DatabaseHealth(problem: nil)
    }
}
