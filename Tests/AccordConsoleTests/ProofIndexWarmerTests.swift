@testable import AccordConsole
import AccordAudit
import AccordStore
import Foundation
import Logging
import Testing

/// The proof index built at console start, and its check against the latest checkpoint.
@Suite struct ProofIndexWarmerTests {
    static let logger = Logger(label: "warmer-test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func theIndexIsBuiltAndMatchesTheSignedRoot() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { _ in }
        let size = try await fixture.store.leafCount()
        let index = ProofIndex(store: fixture.store, chunkSize: 2)
        let warmer = ProofIndexWarmer(store: fixture.store, index: index, verifier: fixture.environment.auditVerifier, logger: Self.logger)
        #expect(await warmer.warm() == .matches(treeSize: size))
        #expect(await index.indexedLeaves == size / 2 * 2)
    }

    @Test func alteredLeafHashesDoNotMatch() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { _ in }
        let store = fixture.store
        // The third stored hash read back with one bit flipped, as a tampered database would give it.
        let index = ProofIndex(chunkSize: 2) { range throws(StoreError) in
            var hashes = try await store.leafHashes(in: range)
            if range.contains(2) { hashes[Int(2 - range.lowerBound) * 32] ^= 1 }
            return hashes
        }
        let warmer = ProofIndexWarmer(store: store, index: index, verifier: fixture.environment.auditVerifier, logger: Self.logger)
        #expect(await warmer.warm() == .mismatch(treeSize: try await store.leafCount()))
    }

    @Test func anUnsignedLogHasNothingToCheck() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let warmer = ProofIndexWarmer(store: fixture.store, index: ProofIndex(store: fixture.store),
                                      verifier: fixture.environment.auditVerifier, logger: Self.logger)
        #expect(await warmer.warm() == .noCheckpoint)
    }
}
