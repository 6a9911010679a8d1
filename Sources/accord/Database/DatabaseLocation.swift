import AccordStore
import ArgumentParser
import Foundation

/// Where a command finds the gateway's database: a `postgres://` or `postgresql://` URL is
/// PostgreSQL, anything else a SQLite file (docs/operations.md, "PostgreSQL").
struct DatabaseLocation {
    let value: String

    init(_ value: String) {
        self.value = value
    }

    var isPostgres: Bool { PostgresStore.isURL(value) }

    /// Opens the database without a signer: it reads, refuses writes, and works beside running gateways.
    func openForReading(origin: String) async throws -> any ServedStorage {
        let configuration = StoreConfiguration(origin: origin, signer: nil)
        if isPostgres { return try await PostgresStore.open(url: value, configuration: configuration) }
        guard FileManager.default.fileExists(atPath: value) else {
            throw ValidationError("no database at \(value); pass --db with the gateway's database file or a postgres:// URL")
        }
        return try SQLiteStore.open(path: value, configuration: configuration)
    }

    /// Refuses a PostgreSQL URL for a command that works on a SQLite file only, saying so.
    func requireSQLite(_ what: String) throws {
        guard isPostgres else { return }
        throw ValidationError("""
            \(what) works on a SQLite database only for now; the database given is a PostgreSQL URL. \
            See docs/operations.md, "PostgreSQL"
            """)
    }
}
