/// The isolation level a transaction begins with.
public enum PGIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// The statements of one open transaction; it exists only inside `PGConnection.transaction`'s body,
/// on the connection's queue.
public struct PGTransaction {
    private let handle: PGConnectionHandle

    private init(handle: PGConnectionHandle) { self.handle = handle }

    public func execute(_ sql: String, _ parameters: [PGValue] = []) throws(PGError) -> PGResult {
        try handle.execute(sql, parameters)
    }

    public func execute(_ statement: PGStatement, _ parameters: [PGValue] = []) throws(PGError) -> PGResult {
        try handle.execute(statement, parameters)
    }

    /// Runs a script of several statements without parameters (a schema migration).
    public func executeScript(_ sql: String) throws(PGError) {
        try handle.executeScript(sql)
    }

    static func run<T>(
        on handle: PGConnectionHandle,
        isolation: PGIsolation,
        attempts: Int,
        _ body: (PGTransaction) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            _ = try handle.execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)", [])
            do {
                let value = try body(PGTransaction(handle: handle))
                _ = try handle.execute("COMMIT", [])
                return value
            } catch {
                // After a failed COMMIT the server has already ended the transaction; ROLLBACK then only warns.
                _ = try? handle.execute("ROLLBACK", [])
                guard let failure = error as? PGError, failure.isRetryable, attempt < attempts else { throw error }
                attempt += 1
            }
        }
    }
}
