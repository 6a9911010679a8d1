import AccordStore
import AccordTestSupport
import Foundation
import GRDB
import Testing

/// A database a newer Accord migrated is refused by an older binary, by name, instead of being
/// written with queries that may no longer fit its schema; what it holds is left as it was.
@Suite struct SchemaVersionTests {
    static let future = "v99-from-a-newer-accord"

    @Test(arguments: StoreBackend.available) func aDatabaseWithAMigrationThisBinaryDoesNotKnowIsRefused(backend: StoreBackend) async throws {
        try await backend.withDatabase { location in
            let configuration = StoreConfiguration(origin: StoreFixture.origin, signer: nil)
            _ = try await backend.open(location, configuration: configuration)
            try await Self.record(Self.future, in: location, backend: backend)

            let refusal = try await #require(throws: StoreError.self) { _ = try await backend.open(location, configuration: configuration) }
            #expect(refusal.code == .schemaNewer)
            #expect(refusal.message.contains(Self.future) && refusal.message.contains("upgrade this node's accord"), "\(refusal.message)")

            try await Self.forget(Self.future, in: location, backend: backend)
            _ = try await backend.open(location, configuration: configuration)
        }
    }

    /// Writes a migration name as a newer binary would have, behind the store's back.
    static func record(_ name: String, in location: String, backend: StoreBackend) async throws {
        try await execute(sqlite: "INSERT INTO grdb_migrations (identifier) VALUES (?)", postgres: "INSERT INTO accord_migration (name) VALUES ('\(name)')",
                          name, in: location, backend: backend)
    }

    static func forget(_ name: String, in location: String, backend: StoreBackend) async throws {
        try await execute(sqlite: "DELETE FROM grdb_migrations WHERE identifier = ?", postgres: "DELETE FROM accord_migration WHERE name = '\(name)'",
                          name, in: location, backend: backend)
    }

    /// `sqlite` with `name` as its argument through GRDB, or `postgres` through psql.
    static func execute(sqlite: String, postgres: String, _ name: String, in location: String, backend: StoreBackend) async throws {
        switch backend {
        case .sqlite:
            try await DatabaseQueue(path: location).write { try $0.execute(sql: sqlite, arguments: [name]) }
        case .postgres:
            let output = try await ExternalProcess.run("psql", [location, "-v", "ON_ERROR_STOP=1", "-Atc", postgres])
            try #require(output.status == 0, "\(output.standardError)")
        }
    }
}
