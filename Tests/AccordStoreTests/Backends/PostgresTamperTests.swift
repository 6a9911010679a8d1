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
            let edited = try await ExternalProcess.runDetached("psql", [cluster.url, "-v", "ON_ERROR_STOP=1", "-Atc", """
                SET session_replication_role = replica;
                UPDATE audit_leaf SET event = 'message.denied' WHERE idx = 3;
                UPDATE audit_leaf SET agreement_id = 'other-agreement' WHERE idx = 7;
                DELETE FROM audit_party WHERE idx = 9 AND agency = 'immigration-nz';
                INSERT INTO audit_subject (idx, type, hmac) VALUES (11, 'passport', 'abc');
                UPDATE audit_leaf SET time_ms = time_ms + 1 WHERE idx = 12;
                """])
            try #require(edited.status == 0, "\(edited.standardError)")
            guard case .verified(let summary) = try await outcome() else {
                Issue.record("the signed log itself was not changed, so it must still verify"); return
            }
            #expect(!summary.isClean && summary.indexMismatchCount == 5)
            #expect(summary.indexMismatches == [
                IndexMismatch(index: 3, columns: ["event"]), IndexMismatch(index: 7, columns: ["agreement_id"]),
                IndexMismatch(index: 9, columns: ["audit_party"]), IndexMismatch(index: 11, columns: ["audit_subject"]),
                IndexMismatch(index: 12, columns: ["time_ms"]),
            ])
        }
    }
}
