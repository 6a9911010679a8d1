public import AccordAudit
public import Foundation

/// How the store signs and paces checkpoints and batches commits.
public struct StoreConfiguration: Sendable {
    /// The log's origin line; also the checkpoint key name.
    public var origin: String
    /// Signs checkpoints with the gateway's Ed25519 audit key. A store with a signer is the
    /// database's one writer (see `SQLiteStore.open`); nil for read-only tools, whose store
    /// takes no writer lock and refuses writes.
    public var signer: NoteSigner?
    /// A checkpoint once this many leaves have been appended since the last one...
    public var checkpointEveryLeaves: UInt64
    /// ...or this long after the last one, when leaves are waiting.
    public var checkpointInterval: Duration
    /// The most submissions committed in one transaction.
    public var maximumBatch: Int
    /// How often, at most, the write-ahead log is copied into the database file after commits
    /// (SQLite, see `WALCheckpointer`)...
    public var walCheckpointInterval: Duration
    /// ...and the log's length in pages past which it is brought back to its beginning.
    public var walRestartFrames: Int
    /// The clock for stored times; injected so tests control it.
    public var now: @Sendable () -> Date

    public init(origin: String, signer: NoteSigner?, checkpointEveryLeaves: UInt64 = 1000,
                checkpointInterval: Duration = .seconds(10), maximumBatch: Int = 1024,
                walCheckpointInterval: Duration = .milliseconds(50), walRestartFrames: Int = 8192, now: @escaping @Sendable () -> Date = { Date() }) {
        self.origin = origin
        self.signer = signer
        self.checkpointEveryLeaves = max(1, checkpointEveryLeaves)
        self.checkpointInterval = checkpointInterval
        self.maximumBatch = max(1, maximumBatch)
        self.walCheckpointInterval = walCheckpointInterval
        self.walRestartFrames = max(1, walRestartFrames)
        self.now = now
    }
}
