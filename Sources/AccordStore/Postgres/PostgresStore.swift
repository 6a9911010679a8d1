public import AccordAudit
import AccordPostgres
public import Foundation
import Synchronization

/// `AccordStorage` on PostgreSQL, for several gateway nodes sharing one database
/// (docs/architecture.md, "Storage"). Each node groups its writes into one transaction the way
/// `SQLiteStore` does; across nodes, every write transaction first locks the single
/// `tree_state` row, so transactions that append leaves or give inbox sequences commit one
/// after the other and leaf indices are dense, in commit order, with no duplicates. Only the
/// node holding the checkpoint lease signs checkpoints (see `PostgresLease`).
public final class PostgresStore: GatewayStorage {
    public let configuration: StoreConfiguration
    let pool: PGPool
    let url: String
    let queue = CommitQueue()
    let writable: Bool
    let lease: PostgresLease
    /// The key this node signs checkpoints with: the configuration's until a rotation.
    let auditSigner: Mutex<NoteSigner?>
    /// Why the writer's last transaction failed as a whole, or nil when it committed.
    let lastWriteFailure = Mutex<StoreError?>(nil)
    private let writer = Mutex<PGConnection?>(nil)
    /// Kept for LISTEN alone: waiting for a notification holds its queue.
    let agreementListenerConnection = Mutex<PGConnection?>(nil)

    /// Connects to the database at `url` (`postgres://user@host:port/db`) and brings its schema
    /// up to date. Without a signer the store only reads and refuses writes, as SQLite's does.
    public static func open(url: String, configuration: StoreConfiguration, readers: Int = 4) async throws(StoreError) -> PostgresStore {
        do {
            let connection = try await PGConnection.connect(url)
            try await PostgresSchema.migrate(connection)
            return PostgresStore(url: url, configuration: configuration, pool: PGPool(url: url, maximumConnections: readers), writer: connection)
        } catch {
            throw Self.storeError(error)
        }
    }

    private init(url: String, configuration: StoreConfiguration, pool: PGPool, writer: PGConnection) {
        self.url = url
        self.configuration = configuration
        self.pool = pool
        self.writable = configuration.signer != nil
        self.auditSigner = Mutex(configuration.signer)
        // Host and pid first, so that an operator reading checkpoint_lease knows which node signs.
        let host = ProcessInfo.processInfo.hostName
        self.lease = PostgresLease(node: "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))")
        self.writer.withLock { $0 = writer }
    }

    /// Whether a URL names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    // MARK: Writer

    /// Runs the writer, the checkpoint timer and the lease for the lifetime of the gateway;
    /// cancelling it commits what is queued, signs a final checkpoint if this node holds the
    /// lease, and gives the lease up so another node takes over at once.
    public func run() async {
        queue.reopen()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.writerLoop() }
            group.addTask { await self.leaseLoop() }
        }
        try? await pool.withConnection { connection in try await self.lease.release(connection) }
        await releasePushLeases()
    }

    private func writerLoop() async {
        await withTaskCancellationHandler {
            while true {
                let batch = await queue.next(limit: configuration.maximumBatch)
                if batch.isEmpty { break }
                await commit(batch)
                await Task.yield()
            }
            // The final checkpoint is this node's to sign if it holds the lease, or can take it
            // (a node stopping before its first renewal, alone on the database). A transient
            // failure (a slow reconnect on a loaded machine) is tried again rather than leaving
            // the last leaves for the next node's first checkpoint.
            for _ in 0 ..< 3 {
                do {
                    let lease = try await pool.withConnection { connection in try await self.lease.renew(connection, key: self.auditKey) }
                    if lease != .lost { _ = try await apply([.checkpoint(force: true)]) }
                    break
                } catch {
                    lastWriteFailure.withLock { $0 = Self.storeError(error) }
                }
            }
        } onCancel: {
            queue.close()
        }
    }

    /// Renews or takes the lease every `PostgresLease.renewal`; the holder asks for a checkpoint
    /// every `checkpointInterval`, and at once when it has just taken the lease over.
    private func leaseLoop() async {
        guard writable else { return }
        var lastCheckpoint = ContinuousClock.now
        while !Task.isCancelled {
            let held = (try? await pool.withConnection { connection in try await self.lease.renew(connection, key: self.auditKey) }) ?? .lost
            if held == .taken || (held == .kept && ContinuousClock.now - lastCheckpoint >= configuration.checkpointInterval) {
                lastCheckpoint = ContinuousClock.now
                // A failed checkpoint is tried again at the next interval; the writer records why.
                _ = try? await queue.submit(.checkpoint(force: true))
            }
            do { try await Task.sleep(for: PostgresLease.renewal) } catch { return }
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

    /// One batch in one transaction on the writer connection; reconnects first when the
    /// connection was lost, so that the node recovers by itself once the database is back.
    private func apply(_ works: [WriteWork]) async throws(StoreError) -> [Result<WriteResult, StoreError>] {
        let connection = try await writerConnection()
        let batch = PostgresBatch(configuration: configuration, now: configuration.now(), node: lease.node,
                                  signer: auditSigner.withLock { $0 })
        do {
            // A job that fails after writing throws IsolationNeeded: rolled back, then run again
            // with a savepoint per job so that it fails alone.
            let applied = try await connection.transaction { transaction in
                try batch.apply(works, mode: .grouped, transaction)
            }
            return committed(applied)
        } catch is PostgresBatch.IsolationNeeded {
            do {
                let applied = try await connection.transaction { transaction in
                    try batch.apply(works, mode: .isolated, transaction)
                }
                return committed(applied)
            } catch {
                throw Self.storeError(error)
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    private func committed(_ applied: PostgresBatch.Applied) -> [Result<WriteResult, StoreError>] {
        lease.note(confirmed: applied.leaseConfirmed)
        if let signer = applied.signer { auditSigner.withLock { $0 = signer } }
        return applied.results
    }

    private func writerConnection() async throws(StoreError) -> PGConnection {
        if let connection = writer.withLock({ $0 }), await connection.isUsable { return connection }
        do {
            let connection = try await PGConnection.connect(url)
            writer.withLock { $0 = connection }
            return connection
        } catch {
            throw Self.storeError(error)
        }
    }

    /// The verifier key this node signs with; the lease goes only to a node whose key is in force.
    var auditKey: String? { auditSigner.withLock { $0?.verifier.verifierKey } }

    /// The writer's queue, or the refusal a store opened for reading gives.
    func writeQueue() throws(StoreError) -> CommitQueue {
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

    /// Signs a checkpoint now if leaves were appended since the last one and this node holds
    /// the lease (taking it if it is free); nil when there was nothing to sign or another
    /// node holds the lease, which then signs.
    public func checkpointNow() async throws(StoreError) -> StoredCheckpoint? {
        let queue = try writeQueue()
        // Taking a free lease here lets a lone node sign at once; a lease held elsewhere stays there.
        _ = try? await pool.withConnection { connection in try await self.lease.renew(connection, key: self.auditKey) }
        return try await queue.checkpointNow()
    }

    // MARK: Errors

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PGError else { return StoreError(.databaseFailed, "\(error)") }
        switch error.kind {
        case .connection:
            return StoreError(.databaseFailed, "the PostgreSQL database cannot be reached: \(error.message)")
        case .conversion:
            return StoreError(.corruptState, "a PostgreSQL row does not read back as the gateway wrote it: \(error.message)")
        case .server:
            if error.sqlState == "53100" {
                return StoreError(.storageFull, "the PostgreSQL server's disk is full; the transaction was rolled back")
            }
            if error.sqlState?.hasPrefix("08") == true || error.sqlState?.hasPrefix("57") == true {
                return StoreError(.databaseFailed, "the PostgreSQL database cannot be reached: \(error.message)")
            }
            if error.sqlState?.hasPrefix("23") == true {
                return StoreError(.invalidRecord, "refused by the database: \(error.message)")
            }
            return StoreError(.databaseFailed, error.description)
        }
    }
}
