import Foundation
import GRDB

extension SQLiteStore {
    /// Copies the database to `path` with SQLite's online backup API while the gateway keeps
    /// writing: the copy is a consistent snapshot, and `accord audit verify --db <copy>`
    /// checks it. Refuses to overwrite an existing file.
    public func backup(to path: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.databaseFailed, "\(path) exists; a backup never overwrites a file")
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try database.backup(to: destination)
            try destination.close()
        } catch {
            throw BatchApplier.storeError(error)
        }
    }
}
