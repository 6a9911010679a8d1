import AccordStore
import ArgumentParser
import Foundation

/// `accord backup`: an online copy of the gateway's database, safe while it runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database while the gateway runs (SQLite's online backup API); verify the copy with 'accord audit verify --db'."
    )

    @Option(help: "The gateway database.")
    var db = "var/accord.sqlite"

    @Option(help: "Where to write the copy (must not exist).")
    var to: String

    func run() throws {
        try DatabaseLocation(db).requireSQLite("`accord backup`", instead: DatabaseLocation.OnPostgres.backup)
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at \(db)") }
        // Opened without the audit key: read-only, and no writer lock, so a running gateway is undisturbed.
        let store = try SQLiteStore.open(path: db, configuration: StoreConfiguration(origin: "backup", signer: nil))
        try store.backup(to: to)
        print("backed up \(db) to \(to)")
    }
}
