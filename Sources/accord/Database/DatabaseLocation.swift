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
    /// `instead` says what does the command's work on PostgreSQL.
    func requireSQLite(_ what: String, instead: String? = nil) throws {
        guard isPostgres else { return }
        throw ValidationError("""
            \(what) works on a SQLite database only; the database given is a PostgreSQL URL. \
            \(instead.map { "On PostgreSQL, \($0). " } ?? "")See docs/operations.md, "PostgreSQL"
            """)
    }

    /// What activates a set, reloads trust or backs up a database on several PostgreSQL nodes.
    enum OnPostgres {
        static let activate = """
            activate on one node with SIGHUP (kill -HUP <pid>, or systemctl reload accord@<node>) or the console's Activate: \
            that node records the activation once and every other node follows within 2 s
            """
        static let reloadTrust = "send SIGHUP to each node: each reloads its own certificates directory and records the reload"
        static let backup = "back the database up with pg_dump, or with your database's point-in-time recovery"
    }
}
