import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The storage backends the behaviour tests run on, each on a fresh database. PostgreSQL is
/// left out where its server programs are missing (outside CI); `PostgresStoreTests` then
/// shows the skip with the package to install.
enum StoreBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreBackend] { PostgresCluster.isAvailable ? allCases : [.sqlite] }

    var testDescription: String { rawValue }

    /// Runs `body` with the location of a fresh, empty database (a file path or a URL), then
    /// deletes the file or stops the throwaway server, however `body` ends.
    func withDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let path = StoreFixture.temporaryPath()
            defer { StoreFixture.removeDatabase(path) }
            return try await body(path)
        case .postgres:
            return try await PostgresCluster.with { cluster in try await body(cluster.url) }
        }
    }

    /// Opens the database at `location` (again), as its writer when `configuration` has a signer.
    func open(_ location: String, configuration: StoreConfiguration) async throws -> any ServedStorage {
        switch self {
        case .sqlite: try await StoreFixture.reopen(location, configuration: configuration)
        case .postgres: try await PostgresStore.open(url: location, configuration: configuration)
        }
    }

    /// A fresh store for `body`, its writer running around it.
    func withStore<T: Sendable>(_ configuration: StoreConfiguration, _ body: (any ServedStorage) async throws -> T) async throws -> T {
        try await withDatabase { location in
            let store = try await open(location, configuration: configuration)
            return try await body(store)
        }
    }
}
