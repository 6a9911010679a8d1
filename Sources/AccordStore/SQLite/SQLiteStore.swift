public import AccordAudit
public import Foundation
import GRDB
import Synchronization

/// `AccordStorage` on SQLite through GRDB: WAL, `synchronous=FULL`, and a group-commit
/// writer. Writes wait in a queue until `run()` commits them, many per transaction, and each
/// caller resumes only once its transaction is durable. `run()` is meant to be run for the
/// lifetime of the gateway (as a service); cancelling it commits what is queued, signs a
/// final checkpoint and returns.
public final class SQLiteStore: GatewayStorage {
    let database: any DatabaseWriter
    public let configuration: StoreConfiguration
    let queue = CommitQueue()
    private let state: Mutex<WriterState>
    // INVARIANT: held for the store's lifetime when it writes to a file; released in its deinit.
    private let writerLock: WriterLock?
    let writable: Bool
    /// Why the writer's last transaction failed as a whole, or nil when it committed: what
    /// `/readyz` reports as the database's health without writing anything itself.
    let lastWriteFailure = Mutex<StoreError?>(nil)
    /// Copies the write-ahead log into the database file off the commit path; nil in memory
    /// and for the read-only tools.
    private let walCheckpointer: WALCheckpointer?

    /// Opens or creates the database file at `path` and brings its schema up to date.
    ///
    /// With a signer, the store is the database's one writer: it holds an exclusive lock on
    /// `<path>-writer.lock` for its lifetime, and opening fails with `.writerLocked` while another
    /// store (in any process) holds it. Without a signer (the audit tools), the store only reads:
    /// it takes no lock, so it works beside a running gateway, and refuses writes.
    public static func open(path: String, configuration: StoreConfiguration) throws(StoreError) -> SQLiteStore {
        let lock = configuration.signer == nil ? nil : try WriterLock(databasePath: path)
        do {
            var grdb = Configuration()
            grdb.foreignKeysEnabled = true
            grdb.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: grdb)
            // GRDB sets NORMAL when it switches to WAL; acknowledged writes must survive power loss.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            var checkpointer: WALCheckpointer?
            if lock != nil {
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
                checkpointer = try WALCheckpointer(path: path, interval: configuration.walCheckpointInterval,
                                                   restartFrames: configuration.walRestartFrames)
            }
            return try SQLiteStore(database: pool, configuration: configuration, writerLock: lock, writable: lock != nil,
                                   walCheckpointer: checkpointer)
        } catch {
            throw BatchApplier.storeError(error)
        }
    }

    /// A store in memory, for tests.
    public static func inMemory(configuration: StoreConfiguration) throws(StoreError) -> SQLiteStore {
        do { return try SQLiteStore(database: DatabaseQueue(), configuration: configuration, writerLock: nil, writable: true) } catch {
            throw BatchApplier.storeError(error)
        }
    }

    init(database: any DatabaseWriter, configuration: StoreConfiguration, writerLock: WriterLock?, writable: Bool,
         walCheckpointer: WALCheckpointer? = nil) throws {
        self.database = database
        self.walCheckpointer = walCheckpointer
        self.configuration = configuration
        self.writerLock = writerLock
        self.writable = writable
        let migrator = Schema.migrator
        let unknown = try database.read { db in try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) }
        guard unknown.isEmpty else { throw StoreError.schemaNewer(unknown) }
        try migrator.migrate(database)
        var loaded = try database.read { db in try Self.loadState(db) }
        loaded.signer = configuration.signer
        self.state = Mutex(loaded)
    }

    /// The value of `PRAGMA wal_autocheckpoint` on the writing connection: 0 when the
    /// write-ahead log is copied back off the commit path (`WALCheckpointer`).
    public func walAutocheckpointPages() async throws(StoreError) -> Int { try await writingConnectionPragma("wal_autocheckpoint") }

    /// How many times the write-ahead log's checkpointer has woken to copy the log.
    var walCheckpointWakeUps: Int { walCheckpointer?.wakeUps.load(ordering: .relaxed) ?? 0 }

    /// The value of `PRAGMA synchronous` on the writing connection (2 is FULL).
    public func synchronousMode() async throws(StoreError) -> Int { try await writingConnectionPragma("synchronous") }

    private func writingConnectionPragma(_ name: String) async throws(StoreError) -> Int {
        do { return try await database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA \(name)") ?? -1 } } catch {
            throw BatchApplier.storeError(error)
        }
    }

    // MARK: Writer

    public func run() async {
        queue.reopen()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.writerLoop() }
            group.addTask { await self.checkpointTimer() }
            if let walCheckpointer { group.addTask { await walCheckpointer.run() } }
        }
    }

    private func writerLoop() async {
        await withTaskCancellationHandler {
            while true {
                let batch = await queue.next(limit: configuration.maximumBatch)
                if batch.isEmpty { break }
                await commit(batch)
                if let walCheckpointer {
                    walCheckpointer.noteCommit()
                    if walCheckpointer.takeFinishRequest() { await finishWALCheckpoint() }
                }
                // The callers just resumed usually submit again at once: let them run before
                // the next batch is taken, so that it holds all of them, not the first one.
                await Task.yield()
            }
            _ = try? await apply([.checkpoint(force: true)])
        } onCancel: {
            queue.close()
        }
    }

    /// Copies the last frames of the write-ahead log on the writer's own connection, between two
    /// batches, so that the next transaction starts the log again from its beginning. The callers
    /// of the batch before are already answered; `PASSIVE` does not wait for readers, and a
    /// reader still on an older snapshot only puts the restart off to a later request.
    private func finishWALCheckpoint() async {
        try? await database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
    }

    private func checkpointTimer() async {
        while true {
            do { try await Task.sleep(for: configuration.checkpointInterval) } catch { return }
            do { _ = try await queue.submit(.checkpoint(force: true)) } catch { return }
        }
    }

    private func commit(_ batch: [CommitQueue.Job]) async {
        do {
            let results = try await apply(batch.map(\.work))
            lastWriteFailure.withLock { $0 = nil }
            for (job, result) in zip(batch, results) {
                job.continuation.resume(with: result.mapError { $0 as any Error })
            }
        } catch {
            lastWriteFailure.withLock { $0 = error }
            for job in batch { job.continuation.resume(throwing: error) }
        }
    }

    /// Runs one batch in one transaction on GRDB's writer queue. Not cancellable on purpose:
    /// once started, a batch either commits or rolls back as a whole.
    private func apply(_ works: [WriteWork]) async throws(StoreError) -> [Result<WriteResult, StoreError>] {
        let before = state.withLock { $0 }
        let configuration = configuration
        let now = configuration.now()
        let outcome: (WriterState, [Result<WriteResult, StoreError>])
        do {
            outcome = try await withCheckedThrowingContinuation { continuation in
                database.asyncWriteWithoutTransaction { db in
                    do {
                        continuation.resume(returning: try Self.applyInTransaction(works, state: before, configuration: configuration, now: now, db: db))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } catch {
            throw BatchApplier.storeError(error)
        }
        state.withLock { $0 = outcome.0 }
        return outcome.1
    }

    /// One transaction for the whole batch; if a job fails after it has written, the batch is
    /// rolled back and applied again with a savepoint per job, so that the job fails alone.
    private static func applyInTransaction(
        _ works: [WriteWork], state: WriterState, configuration: StoreConfiguration, now: Date, db: Database
    ) throws -> (WriterState, [Result<WriteResult, StoreError>]) {
        for mode in [BatchApplier.Mode.grouped, .isolated] {
            do {
                var output: (WriterState, [Result<WriteResult, StoreError>])?
                try db.inTransaction {
                    output = try BatchApplier(configuration: configuration, now: now, mode: mode).apply(works, state: state, db: db)
                    return .commit
                }
                return output!
            } catch is BatchApplier.IsolationNeeded {
                continue
            }
        }
        throw StoreError(.corruptState, "a batch failed even with a savepoint per job")
    }

    /// The writer's queue, or the refusal a store opened for reading gives.
    private func writeQueue() throws(StoreError) -> CommitQueue {
        guard writable else { throw CommitQueue.readOnly }
        return queue
    }

    // MARK: AccordStorage writes

    public func accept(_ submission: Submission) async throws(StoreError) -> [UInt64] { try await writeQueue().accept(submission) }

    public func append(_ records: [AuditRecord]) async throws(StoreError) -> [UInt64] { try await writeQueue().append(records) }

    public func updateDelivery(_ update: DeliveryUpdate) async throws(StoreError) -> [UInt64] { try await writeQueue().updateDelivery(update) }

    public func recordPush(_ record: PushRecord) async throws(StoreError) { try await writeQueue().recordPush(record) }

    public func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64]) {
        try await writeQueue().activateAgreementSet(activation)
    }

    public func purgeMessages(retainedUntilBefore cutoff: Date) async throws(StoreError) -> Int {
        try await writeQueue().purge(cutoff: cutoff, now: configuration.now())
    }

    /// Hands checkpoint signing over to `signer`: appends `record` (an `audit.key_rotated` leaf
    /// naming both keys) and signs a checkpoint covering it with the old key and the new, in one
    /// transaction; later checkpoints carry the new key's signature alone.
    public func rotateAuditKey(to signer: NoteSigner, record: AuditRecord) async throws(StoreError) -> (leaf: UInt64, checkpoint: StoredCheckpoint) {
        try await writeQueue().rotateAuditKey(to: signer, record: record)
    }

    /// The verifier of the key that signs checkpoints now.
    public var currentAuditVerifier: NoteVerifier? { state.withLock { $0.signer?.verifier } }

    public func checkpointNow() async throws(StoreError) -> StoredCheckpoint? { try await writeQueue().checkpointNow() }

    // MARK: State

    private static func loadState(_ db: Database) throws -> WriterState {
        let count = UInt64(try Int64.fetchOne(db, sql: "SELECT coalesce(max(idx) + 1, 0) FROM audit_leaf") ?? 0)
        var head = TreeHead()
        if let row = try Row.fetchOne(db, sql: "SELECT size, edge FROM tree_state WHERE id = 1"),
           UInt64(row["size"] as Int64) == count {
            let edgeBytes = [UInt8](row["edge"] as Data)
            let edge = stride(from: 0, to: edgeBytes.count, by: 32).map { Array(edgeBytes[$0 ..< min($0 + 32, edgeBytes.count)]) }
            head = try TreeHead(size: count, edge: edge)
        } else {
            let hasher = TreeHasher()
            let cursor = try Data.fetchCursor(db, sql: "SELECT leaf_hash FROM audit_leaf ORDER BY idx")
            while let hash = try cursor.next() { head.append(leafHash: [UInt8](hash), using: hasher) }
        }
        let last = try Row.fetchOne(db, sql: "SELECT size, created_ms FROM audit_checkpoint ORDER BY seq DESC LIMIT 1")
        return WriterState(
            head: head,
            checkpointSize: last.map { UInt64($0["size"] as Int64) } ?? 0,
            checkpointTime: last.map { AuditTime.date(milliseconds: $0["created_ms"]) } ?? Date(timeIntervalSince1970: 0),
            inboxSequence: try Int64.fetchOne(db, sql: "SELECT value FROM inbox_sequence WHERE id = 1") ?? 0)
    }
}
