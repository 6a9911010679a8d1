/// The one error type of AccordStore: a stable code and a message naming what failed.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reason. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case databaseFailed = "database-failed"
        case duplicateMessage = "duplicate-message"
        case unknownDelivery = "unknown-delivery"
        case invalidTransition = "invalid-transition"
        case invalidRecord = "invalid-record"
        case shuttingDown = "shutting-down"
        case corruptState = "corrupt-state"
        /// Another process holds the database open for writing.
        case writerLocked = "writer-locked"
        /// A store opened for reading (without a signer) was asked to write.
        case readOnly = "read-only"
        /// The disk (or the database's size limit) is full: nothing was written; writes succeed
        /// again once there is space, without a restart.
        case storageFull = "storage-full"
        /// A first agreement set was asked for, and the store has one already (another node
        /// starting at the same time recorded it).
        case alreadyRecorded = "already-recorded"
        /// The database was migrated by a newer Accord: it holds migrations this binary does not
        /// know, so this binary refuses to open it rather than write to a schema it cannot read.
        case schemaNewer = "schema-newer"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension StoreError {
    /// The refusal of a database that holds migrations this binary does not know.
    static func schemaNewer(_ unknown: some Collection<String>) -> StoreError {
        StoreError(.schemaNewer, """
            the database was migrated by a newer Accord (migrations \(unknown.sorted().joined(separator: ", ")) are unknown to this \
            binary): upgrade this node's accord before starting it, or restore the backup taken before the upgrade \
            (docs/operations.md, "Upgrading nodes on PostgreSQL")
            """)
    }
}
