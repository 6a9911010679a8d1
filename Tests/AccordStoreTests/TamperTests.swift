import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import GRDB
import Testing

/// Someone with write access to the database file drops the triggers and edits the log;
/// `verifyLog` must name each kind of edit. Each case verifies before the edit, so the
/// test fails if verification stopped checking.
@Suite struct TamperTests {
    static func populatedStore() async throws -> (path: String, configuration: StoreConfiguration) {
        let path = StoreFixture.temporaryPath()
        let configuration = try StoreFixture.configuration(every: 10)
        let store = try SQLiteStore.open(path: path, configuration: configuration)
        try await store.whileRunning { for n in 0 ..< 25 { _ = try await store.accept(StoreFixture.submission("m\(n)")) } }
        return (path, configuration)
    }

    /// Edits of search columns around their leaves, and how verification names each.
    static let rowEdits = [
        "UPDATE audit_leaf SET event = 'message.denied' WHERE idx = 3",
        "UPDATE audit_leaf SET agreement_id = 'other-agreement' WHERE idx = 7",
        "DELETE FROM audit_party WHERE idx = 9 AND agency = 'immigration-nz'",
        "INSERT INTO audit_subject (idx, type, hmac) VALUES (11, 'passport', 'abc')",
        "UPDATE audit_leaf SET time_ms = time_ms + 1 WHERE idx = 12",
    ]
    static let rowEditsNamed = [
        IndexMismatch(index: 3, columns: ["event"]), IndexMismatch(index: 7, columns: ["agreement_id"]),
        IndexMismatch(index: 9, columns: ["audit_party"]), IndexMismatch(index: 11, columns: ["audit_subject"]),
        IndexMismatch(index: 12, columns: ["time_ms"]),
    ]

    static func tamper(_ path: String, _ sql: String...) throws { try tamper(path, sql) }

    static func tamper(_ path: String, _ sql: [String]) throws {
        var unchecked = Configuration()
        unchecked.foreignKeysEnabled = false
        let database = try DatabaseQueue(path: path, configuration: unchecked)
        try database.write { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            for statement in sql { try db.execute(sql: statement) }
        }
    }

    static func outcome(_ path: String, _ configuration: StoreConfiguration) async throws -> LogVerifier.Outcome {
        let store = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        return try await store.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier)
    }

    @Test func changedLeafIsNamedByIndex() async throws {
        let (path, configuration) = try await Self.populatedStore()
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .verified = try await Self.outcome(path, configuration) else { Issue.record("untouched log must verify"); return }
        try Self.tamper(path, "UPDATE audit_leaf SET leaf = CAST(replace(CAST(leaf AS TEXT), 'immigration-nz', 'customs') AS BLOB) WHERE idx = 13")
        guard case .diverged(.leafHashMismatch(index: 13, _, _)) = try await Self.outcome(path, configuration) else {
            Issue.record("changed leaf 13 not named"); return
        }
    }

    @Test func reorderingIsNamed() async throws {
        let (path, configuration) = try await Self.populatedStore()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.tamper(path, "UPDATE audit_leaf SET idx = -1 WHERE idx = 4", "UPDATE audit_leaf SET idx = 4 WHERE idx = 5",
                        "UPDATE audit_leaf SET idx = 5 WHERE idx = -1")
        #expect(try await Self.outcome(path, configuration) == .diverged(.leafMisplaced(index: 4, recorded: 5)))
    }

    @Test func truncationIsNamed() async throws {
        let (path, configuration) = try await Self.populatedStore()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.tamper(path, "DELETE FROM audit_party WHERE idx >= 22", "DELETE FROM audit_leaf WHERE idx >= 22")
        #expect(try await Self.outcome(path, configuration) == .diverged(.truncated(checkpointSize: 25, leafCount: 22)))
    }

    @Test func forgedCheckpointIsNamed() async throws {
        let (path, configuration) = try await Self.populatedStore()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let impostor = try NoteSigner(name: StoreFixture.origin, privateKey: PrivateKey.generate(.edDSA))
        let forged = try Checkpoint(origin: StoreFixture.origin, size: 20, rootHash: [UInt8](repeating: 0, count: 32)).signed(by: impostor).encoded
        try Self.tamper(path, "UPDATE audit_checkpoint SET note = '\(forged)' WHERE size = 20")
        guard case .diverged(.checkpointForged) = try await Self.outcome(path, configuration) else {
            Issue.record("forged checkpoint accepted"); return
        }
    }

    /// The signed log stays intact when only a row's search columns change, so the tree checks
    /// alone pass; each changed row must still be named, column by column, and a search that
    /// found a leaf through a changed column can tell.
    @Test func rowsEditedAroundTheirLeavesAreNamed() async throws {
        let (path, configuration) = try await Self.populatedStore()
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .verified(let before) = try await Self.outcome(path, configuration), before.isClean else {
            Issue.record("untouched log must verify with every row agreeing"); return
        }
        try Self.tamper(path, Self.rowEdits)
        guard case .verified(let summary) = try await Self.outcome(path, configuration) else {
            Issue.record("the signed log itself was not changed, so it must still verify"); return
        }
        #expect(!summary.isClean && summary.indexMismatchCount == 5)
        #expect(summary.indexMismatches == Self.rowEditsNamed)

        // A search by the forged agreement finds leaf 7, and the leaf itself says it does not belong.
        let store = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
        let query = AuditQuery(agreementID: "other-agreement")
        let found = try await store.query(query)
        #expect(found.map(\.index) == [7])
        #expect(found.allSatisfy { !query.matches($0.record) })
        let honest = AuditQuery(agreementID: "inz-police")
        #expect(try await store.query(honest).allSatisfy { honest.matches($0.record) })
    }
}
