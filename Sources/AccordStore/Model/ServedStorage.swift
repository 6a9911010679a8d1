public import AccordAudit

/// A store a gateway node runs: every storage protocol, and the writer that commits them,
/// run as a service for the node's lifetime. `SQLiteStore` and `PostgresStore` are both.
public protocol ServedStorage: AccordStorage {
    var configuration: StoreConfiguration { get }
    /// Commits queued writes until cancelled; then commits what is queued and returns.
    func run() async
}

/// What a gateway node's services need beyond the storage protocols: the probes' and metrics'
/// reads, the key that signs checkpoints now, rotating it, the set in force at start, and the
/// witnesses' cosignatures.
public protocol GatewayStorage: ServedStorage, CosignatureStore {
    func checkpointStatus() async throws(StoreError) -> CheckpointStatus
    func deliveryCount(in state: DeliveryState) async throws(StoreError) -> Int
    func databaseHealth() async -> DatabaseHealth
    var currentAuditVerifier: NoteVerifier? { get }
    /// The verifier key the database names as the one checkpoints are signed with since the
    /// last rotation; nil when no rotation was recorded, or when one writer holds the database
    /// and so signs with the key in force by construction (SQLite).
    func auditKeyInForce() async throws(StoreError) -> String?
    func rotateAuditKey(to signer: NoteSigner, record: AuditRecord) async throws(StoreError) -> (leaf: UInt64, checkpoint: StoredCheckpoint)
}
