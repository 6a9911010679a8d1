import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import GRDB
import Testing

/// `verifyLog` reads checkpoints a page at a time beside the leaves (a year of a running
/// gateway holds millions of them): a log with more checkpoints than one page verifies, and a
/// fork or a cut beyond the first page is still named.
@Suite struct ManyCheckpointsTests {
    @Test func checkpointsBeyondTheFirstPageAreVerifiedAndTheirForksAndCutsNamed() async throws {
        let path = StoreFixture.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try StoreFixture.configuration(every: 1)
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        let leaves = 5_000
        try await store.whileRunning {
            for n in 0 ..< leaves { _ = try await store.append([StoreFixture.record(.messageDelivered, message: "m\(n)")]) }
            _ = try await store.checkpointNow()
        }
        let sizes = try await store.checkpoints().map(\.size)
        try #require(Set(sizes).count > 4_096 + 100, "\(Set(sizes).count) checkpoints: not more than a page")
        func outcome() async throws -> LogVerifier.Outcome {
            let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
            return try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier, pageSize: 97)
        }
        guard case .verified(let summary) = try await outcome() else {
            Issue.record("the untouched log did not verify")
            return
        }
        #expect(summary.leafCount == UInt64(leaves) && summary.checkpointsVerified == Set(sizes).count)

        // A second checkpoint of size 4,500, properly signed but with another root: a fork.
        let forged = try Checkpoint(origin: StoreFixture.origin, size: 4_500, rootHash: [UInt8](repeating: 7, count: 32))
            .signed(by: configuration.signer!).encoded
        try TamperTests.tamper(path, "INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES (4500, x'07', '\(forged)', 0)")
        guard case .diverged(.checkpointFork(size: 4_500, _, _)) = try await outcome() else {
            Issue.record("a fork past the first page of checkpoints was not named")
            return
        }

        // The fork gone, the tail cut: the largest checkpoint names how far the signed log reached.
        try TamperTests.tamper(path, "DELETE FROM audit_checkpoint WHERE root = x'07'",
                               "DELETE FROM audit_party WHERE idx >= 4800", "DELETE FROM audit_leaf WHERE idx >= 4800")
        let cut = try await outcome()
        #expect(cut == .diverged(.truncated(checkpointSize: 5_000, leafCount: 4_800)), "\(cut)")
    }
}
