import Synchronization

/// A few connections to one database, lent one at a time. A caller waits when all are lent; a
/// connection found broken when it comes back is dropped and its place reopened on demand.
public final class PGPool: Sendable {
    private struct State {
        var idle: [PGConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<PGConnection?, Never>] = []
    }

    public let maximumConnections: Int
    private let url: String
    private let state = Mutex(State())

    public init(url: String, maximumConnections: Int = 4) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.url = url
        self.maximumConnections = maximumConnections
    }

    /// Lends a connection to `body` and takes it back when `body` ends, however it ends.
    public func withConnection<T: Sendable>(_ body: (PGConnection) async throws -> T) async throws -> T {
        let connection = try await checkOut()
        do {
            let value = try await body(connection)
            await checkIn(connection)
            return value
        } catch {
            await checkIn(connection)
            throw error
        }
    }

    public func execute(_ sql: String, _ parameters: [PGValue] = []) async throws -> PGResult {
        try await withConnection { try await $0.execute(sql, parameters) }
    }

    public func execute(_ statement: PGStatement, _ parameters: [PGValue] = []) async throws -> PGResult {
        try await withConnection { try await $0.execute(statement, parameters) }
    }

    public func transaction<T: Sendable>(
        _ isolation: PGIsolation = .readCommitted,
        attempts: Int = 5,
        _ body: @escaping @Sendable (PGTransaction) throws -> T
    ) async throws -> T {
        try await withConnection { try await $0.transaction(isolation, attempts: attempts, body) }
    }

    /// An idle connection, or a newly opened one when there is room, or the next one given back.
    private func checkOut() async throws -> PGConnection {
        let lent: PGConnection? = await withCheckedContinuation { continuation in
            // A nil answer means a place is reserved for a new connection.
            let answer: PGConnection?? = state.withLock { state in
                if let connection = state.idle.popLast() { return .some(connection) }
                if state.open < maximumConnections {
                    state.open += 1
                    return .some(nil)
                }
                state.waiters.append(continuation)
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
        if let lent { return lent }
        return try await open()
    }

    /// Opens a connection in a place already reserved, giving the place back if that fails.
    private func open() async throws -> PGConnection {
        do {
            return try await PGConnection.connect(url)
        } catch {
            releasePlace()
            throw error
        }
    }

    private func checkIn(_ connection: PGConnection) async {
        guard await connection.isUsable else {
            releasePlace()
            return
        }
        let waiter: CheckedContinuation<PGConnection?, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    /// A place freed by a dropped connection goes to the first waiter, who opens a new one.
    private func releasePlace() {
        let waiter: CheckedContinuation<PGConnection?, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }
}
