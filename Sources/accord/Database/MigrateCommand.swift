import AccordStore
import ArgumentParser

/// `accord migrate`: moves a gateway's SQLite database into an empty PostgreSQL database, its
/// audit log with the same leaf indices and checkpoints, so that `accord audit verify` names
/// the same root on both (docs/operations.md, "PostgreSQL").
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a stopped gateway's SQLite database into an empty PostgreSQL database."
    )

    @Option(help: "The SQLite database to copy (stop the gateway first).")
    var from: String

    @Option(help: "The PostgreSQL database to copy into: postgres://user@host:port/db.")
    var to: String

    func run() async throws {
        guard PostgresStore.isURL(to) else {
            throw ValidationError("--to takes a postgres:// or postgresql:// URL; got a value that is not one")
        }
        guard !PostgresStore.isURL(from) else { throw ValidationError("--from takes the SQLite database file, not a URL") }
        let summary = try await PostgresImport.copy(sqlite: from, to: to)
        print("migrated \(summary.leaves) leaves, \(summary.checkpoints) checkpoints, \(summary.messages) messages, \(summary.deliveries) deliveries")
        print("verify with: accord audit verify --db '<the PostgreSQL URL>'")
    }
}
