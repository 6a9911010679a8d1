import AccordAudit
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Someone with write access to the PostgreSQL database edits search columns around their
/// leaves: the signed log still verifies, and `verifyLog` names every changed row, column by
/// column, as it does on SQLite (`TamperTests`).
@Suite(.needsPostgreSQLServer) struct PostgresTamperTests {
    @Test func rowsEditedAroundTheirLeavesAreNamed() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration(every: 10)
            let store = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            try await store.whileRunning { for n in 0 ..< 25 { _ = try await store.accept(StoreFixture.submission("m\(n)")) } }
            let reader = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
            func outcome() async throws -> LogVerifier.Outcome {
                try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier, pageSize: 8, progress: { _, _ in })
            }
            guard case .verified(let before) = try await outcome(), before.isClean else {
                Issue.record("the untouched log must verify with every row agreeing"); return
            }
            // As a superuser would: with the append-only triggers off for the session.
            let edited = try await ExternalProcess.run("psql", [
                cluster.url, "-v", "ON_ERROR_STOP=1", "-Atc",
                (["SET session_replication_role = replica"] + TamperTests.rowEdits).joined(separator: ";\n"),
            ])
            try #require(edited.status == 0, "\(edited.standardError)")
            guard case .verified(let summary) = try await outcome() else {
                Issue.record("the signed log itself was not changed, so it must still verify"); return
            }
            #expect(!summary.isClean && summary.indexMismatchCount == 5)
            #expect(summary.indexMismatches == TamperTests.rowEditsNamed)
        }
    }
}
