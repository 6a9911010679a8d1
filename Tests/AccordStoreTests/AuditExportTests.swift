import AccordAudit
import AccordCore
import AccordStore
import AccordStoreTestSupport
import Foundation
import Synchronization
import Testing

/// Exports are written a page at a time: what they read stays bounded however old the log is,
/// and the paging changes nothing in what they hold.
@Suite struct AuditExportTests {
    /// A store that notes the largest read an export asks of it, and any read of every checkpoint.
    final class ReadWatchingStore: ForwardingStore, @unchecked Sendable {
        let largestLeafRead = Mutex<UInt64>(0)
        let largestQueryLimit = Mutex<Int?>(nil)
        let everyCheckpointRead = Mutex(false)

        override func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] {
            largestLeafRead.withLock { $0 = max($0, UInt64(range.count)) }
            return try await base.leaves(in: range)
        }

        override func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] {
            // The export's own lookup of key rotations asks for one event and no limit.
            if query.events != [.auditKeyRotated] {
                largestQueryLimit.withLock { $0 = max($0 ?? 0, query.limit ?? Int.max) }
            }
            return try await base.query(query)
        }

        override func checkpoints() async throws(StoreError) -> [StoredCheckpoint] {
            everyCheckpointRead.withLock { $0 = true }
            return try await base.checkpoints()
        }
    }

    /// The log as read before its latest checkpoint was signed: the one covering `size` leaves
    /// is the latest this store shows.
    final class EarlierCheckpointStore: ForwardingStore, @unchecked Sendable {
        let size: UInt64

        init(_ base: any AccordStorage, size: UInt64) {
            self.size = size
            super.init(base)
        }

        override func latestCheckpoint() async throws(StoreError) -> StoredCheckpoint? {
            try await base.firstCheckpoint(covering: size - 1)
        }
    }

    /// A log of `leaves` leaves under a checkpoint, then `uncovered` more.
    static func store(leaves: Int, uncovered: Int = 0) async throws -> (SQLiteStore, NoteVerifier) {
        let configuration = try StoreFixture.configuration(every: 10)
        let store = try SQLiteStore.inMemory(configuration: configuration)
        try await store.whileRunning {
            for n in 0 ..< leaves {
                let event: AuditEvent = n % 3 == 0 ? .messageDelivered : .messageAccepted
                _ = try await store.append([StoreFixture.record(event, message: "m\(n)")])
            }
            _ = try await store.checkpointNow()
            for n in 0 ..< uncovered { _ = try await store.append([StoreFixture.record(.messageAccepted, message: "late\(n)")]) }
        }
        return (store, configuration.signer!.verifier)
    }

    static func export(_ store: any AccordStorage, verifier: NoteVerifier, matching query: AuditQuery? = nil,
                       index: ProofIndex? = nil, pageSize: UInt64 = AuditExport.pageSize) async throws -> String {
        var text = ""
        _ = try await AuditExport.write(from: store, origin: StoreFixture.origin, verifier: verifier, matching: query,
                                        index: index ?? ProofIndex(store: store), as: .jsonl, pageSize: pageSize) { text += $0 }
        return text
    }

    static func lines(_ text: String) throws -> [[String: JSONValue]] {
        try text.split(separator: "\n").map { line in
            guard case .object(let members) = try JSONParser.parse(Array(line.utf8)) else { throw AuditError(.invalidJSON, "an export line is not an object") }
            return members
        }
    }

    @Test func aWholeExportReadsAPageAtATimeAndNeverEveryCheckpoint() async throws {
        let (store, verifier) = try await Self.store(leaves: 47)
        let watched = ReadWatchingStore(store)
        // The proof index reads leaf hashes on its own; the export's reads are what is watched.
        let paged = try await Self.export(watched, verifier: verifier, index: ProofIndex(store: store), pageSize: 8)
        #expect(watched.largestLeafRead.withLock { $0 } == 8)
        #expect(watched.everyCheckpointRead.withLock { $0 } == false)
        #expect(paged == (try await Self.export(store, verifier: verifier)))

        let lines = try Self.lines(paged)
        #expect(lines.first?["format"] == .string("accord-audit-export-v2") && lines.first?["tree_size"] == .integer(47))
        // Only the latest checkpoint: the log has no key rotation to bridge.
        #expect(lines.filter { $0["type"] == .string("checkpoint") }.map { $0["size"] } == [.integer(47)])
        let entries = lines.filter { $0["type"] == .string("leaf") }
        #expect(entries.map { $0["index"] } == (0 ..< 47).map { .integer(Int64($0)) })
        #expect(lines.last == ["type": .string("end"), "entries": .integer(47)])

        // Every entry's proof leads to the checkpoint's root.
        let latest = try #require(try await store.latestCheckpoint(trusting: verifier))
        for entry in entries {
            guard let leaf = entry["leaf"]?.stringValue, let index = entry["index"]?.integerValue,
                  let proof = entry["proof"]?.arrayValue else { Issue.record("malformed entry \(entry)"); continue }
            let path = proof.compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
            try InclusionProof.verify(leafHash: TreeHasher().leafHash(Array(leaf.utf8)), index: UInt64(index), treeSize: 47,
                                      proof: path, root: latest.checkpoint.rootHash)
        }
    }

    @Test(arguments: [1, 3, 4_096] as [UInt64])
    func aSearchExportPagesThroughItsMatchesAndKeepsItsLimit(pageSize: UInt64) async throws {
        let (store, verifier) = try await Self.store(leaves: 47)
        let watched = ReadWatchingStore(store)
        let delivered = AuditQuery(events: [.messageDelivered])
        let all = try Self.lines(try await Self.export(watched, verifier: verifier, matching: delivered, pageSize: pageSize))
        #expect(all.filter { $0["type"] == .string("leaf") }.map { $0["index"] } == stride(from: 0, to: 47, by: 3).map { .integer(Int64($0)) })
        #expect(watched.largestQueryLimit.withLock { $0 } == Int(min(pageSize, 4_096)))

        var firstFive = delivered
        firstFive.limit = 5
        let limited = try Self.lines(try await Self.export(store, verifier: verifier, matching: firstFive, pageSize: pageSize))
        #expect(limited.filter { $0["type"] == .string("leaf") }.map { $0["index"] } == [0, 3, 6, 9, 12].map { JSONValue.integer($0) })
        #expect(limited.last == ["type": .string("end"), "entries": .integer(5)])
    }

    @Test func leavesNoCheckpointCoversYetAreLeftOut() async throws {
        let (written, verifier) = try await Self.store(leaves: 12, uncovered: 3)
        let store = EarlierCheckpointStore(written, size: 12)
        #expect(try await store.leafCount() == 15)
        #expect(try await store.latestCheckpoint()?.size == 12)
        let lines = try Self.lines(try await Self.export(store, verifier: verifier, pageSize: 5))
        #expect(lines.first?["tree_size"] == .integer(12))
        #expect(lines.filter { $0["type"] == .string("leaf") }.count == 12)
    }
}
