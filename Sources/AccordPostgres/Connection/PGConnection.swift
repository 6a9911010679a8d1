import Dispatch

/// One PostgreSQL connection, driven on its own serial queue the way GRDB drives SQLite:
/// every libpq call blocks that queue's thread, never Swift's cooperative pool.
public final class PGConnection: @unchecked Sendable {
    // INVARIANT: `handle` is touched only on `queue`, which is what makes this class Sendable.
    private let handle: PGConnectionHandle
    private let queue: DispatchQueue

    private init(handle: PGConnectionHandle, queue: DispatchQueue) {
        self.handle = handle
        self.queue = queue
    }

    /// Connects to `url` (`postgres://user@host:port/db?sslmode=…`, or libpq's `key=value` form).
    public static func connect(_ url: String) async throws(PGError) -> PGConnection {
        let queue = DispatchQueue(label: "accord.postgres.connection")
        return try await run(on: queue) { () throws(PGError) in
            PGConnection(handle: try PGConnectionHandle(url: url), queue: queue)
        }
    }

    /// False once the connection to the server is lost; a pool drops such a connection.
    public var isUsable: Bool {
        get async { await onQueue { handle in handle.isUsable } }
    }

    public func execute(_ sql: String, _ parameters: [PGValue] = []) async throws(PGError) -> PGResult {
        try await onQueue { handle throws(PGError) in try handle.execute(sql, parameters) }
    }

    public func execute(_ statement: PGStatement, _ parameters: [PGValue] = []) async throws(PGError) -> PGResult {
        try await onQueue { handle throws(PGError) in try handle.execute(statement, parameters) }
    }

    /// Runs `body` in one transaction at `isolation`: committed when it returns, rolled back when it
    /// throws. A serialization failure or deadlock runs it again, up to `attempts` times in all, so
    /// `body` must do nothing outside the database that cannot be repeated.
    public func transaction<T: Sendable>(
        _ isolation: PGIsolation = .readCommitted,
        attempts: Int = 5,
        _ body: @escaping @Sendable (PGTransaction) throws -> T
    ) async throws -> T {
        try await onQueue { handle in try PGTransaction.run(on: handle, isolation: isolation, attempts: attempts, body) }
    }

    /// Subscribes this connection to `channel`. A listening connection should be kept for that
    /// alone: `nextNotification` holds its queue while it waits.
    public func listen(_ channel: String) async throws(PGError) {
        _ = try await execute("LISTEN \(PGIdentifier.quoted(channel))")
    }

    public func notify(_ channel: String, payload: String = "") async throws(PGError) {
        _ = try await execute("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// The next notification on a listened channel, or nil when none came within `timeout`.
    public func nextNotification(timeout: Duration) async throws(PGError) -> PGNotification? {
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await onQueue { handle throws(PGError) in try handle.nextNotification(milliseconds: milliseconds) }
    }

    private func onQueue<T: Sendable, E: Error>(_ work: @escaping @Sendable (PGConnectionHandle) throws(E) -> T) async throws(E) -> T {
        // Sent to the queue, the only place that touches it (the INVARIANT above).
        nonisolated(unsafe) let handle = self.handle
        return try await Self.run(on: queue) { () throws(E) in try work(handle) }
    }

    private static func run<T: Sendable, E: Error>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(E) in try work() })
            }
        }
        return try result.get()
    }
}

/// Quoting for identifiers that cannot be parameters (LISTEN's channel).
enum PGIdentifier {
    static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
