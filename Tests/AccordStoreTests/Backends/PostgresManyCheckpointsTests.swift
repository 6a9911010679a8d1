import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `ManyCheckpointsTests` on PostgreSQL: `PostgresStore.verifyLog` reads checkpoints a page at a
/// time beside the leaves, and a log with more checkpoints than one page still verifies, with a
/// fork or a cut beyond the first page named.
@Suite(.needsPostgreSQLServer) struct PostgresManyCheckpointsTests {
    @Test func checkpointsBeyondTheFirstPageAreVerifiedAndTheirForksAndCutsNamed() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration(every: 1)
            let store = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            let leaves = 5_000
            try await store.whileRunning {
                _ = try await store.checkpointNow()
                for n in 0 ..< leaves { _ = try await store.append([StoreFixture.record(.messageDelivered, message: "m\(n)")]) }
                _ = try await store.checkpointNow()
            }
            let sizes = try await store.checkpoints().map(\.size)
            try #require(Set(sizes).count > 4_096 + 100, "\(Set(sizes).count) checkpoints: not more than a page")
            func outcome() async throws -> LogVerifier.Outcome {
                let reader = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
                return try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier, pageSize: 97, progress: { _, _ in })
            }
            guard case .verified(let summary) = try await outcome() else {
                Issue.record("the untouched log did not verify")
                return
            }
            #expect(summary.leafCount == UInt64(leaves) && summary.checkpointsVerified == Set(sizes).count)

            // A second checkpoint of size 4,500, properly signed but with another root: a fork.
            let forged = try Checkpoint(origin: StoreFixture.origin, size: 4_500, rootHash: [UInt8](repeating: 7, count: 32))
                .signed(by: configuration.signer!).encoded
            try await Self.tamper(cluster, "INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES (4500, '\\x07', '\(forged)', 0)")
            guard case .diverged(.checkpointFork(size: 4_500, _, _)) = try await outcome() else {
                Issue.record("a fork past the first page of checkpoints was not named")
                return
            }

            // The fork gone, the tail cut: the largest checkpoint names how far the signed log reached.
            try await Self.tamper(cluster, "DELETE FROM audit_checkpoint WHERE root = '\\x07'", "DELETE FROM audit_party WHERE idx >= 4800",
                                  "DELETE FROM audit_subject WHERE idx >= 4800", "DELETE FROM audit_leaf WHERE idx >= 4800")
            let cut = try await outcome()
            #expect(cut == .diverged(.truncated(checkpointSize: 5_000, leafCount: 4_800)), "\(cut)")
        }
    }

    /// Runs `statements` as the database's superuser with the append-only triggers off, as
    /// someone with the database's files or superuser rights could.
    private static func tamper(_ cluster: PostgresCluster, _ statements: String...) async throws {
        let sql = (["SET session_replication_role = replica"] + statements).joined(separator: "; ")
        let result = try await ExternalProcess.run("psql", [cluster.url, "-v", "ON_ERROR_STOP=1", "-c", sql])
        try #require(result.status == 0, "\(result.standardError)")
    }
}
