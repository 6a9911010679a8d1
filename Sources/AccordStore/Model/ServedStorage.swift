/// A store a gateway node runs: every storage protocol, and the writer that commits them,
/// run as a service for the node's lifetime. `SQLiteStore` and `PostgresStore` are both.
public protocol ServedStorage: AccordStorage {
    var configuration: StoreConfiguration { get }
    /// Commits queued writes until cancelled; then commits what is queued and returns.
    func run() async
}
