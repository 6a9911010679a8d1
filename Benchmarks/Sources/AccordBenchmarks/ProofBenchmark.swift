import AccordAudit
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// `AccordBenchmarks proofs`: the inclusion proofs of one console search on a large log, built
/// as before (every leaf hash read and the whole tree rebuilt in memory) and with a
/// `ProofIndex` (cold: its first use reads every leaf hash; warm: only the chunks touched),
/// then the whole log exported a page at a time as `accord audit export` writes it.
struct ProofBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "proofs", abstract: "Inclusion proofs of a search: whole tree vs proof index.")

    @Option(help: "Leaves in the log.")
    var leaves = 1_000_000

    @Option(help: "Search results to prove, spread evenly over the log (each in its own chunk).")
    var results = 500

    @Option(help: "Chunk sizes of the proof index to measure.")
    var chunk: [UInt64] = [64, 256, 1024]

    @Option(help: "Database to use; built when missing (kept, so later runs skip building it).")
    var database: String?

    func run() async throws {
        let origin = "bench.accord/audit"
        let key = try PrivateKey.generate(.edDSA)
        let path = database ?? FileManager.default.temporaryDirectory.appendingPathComponent("accord-proofs-\(leaves).sqlite").path
        let signer = try NoteSigner(name: origin, privateKey: FileManager.default.fileExists(atPath: path + ".key")
                                        ? PrivateKey(pemFile: path + ".key") : key)
        let clock = ContinuousClock()
        if !FileManager.default.fileExists(atPath: path) {
            try key.pemPKCS8().write(toFile: path + ".key", atomically: true, encoding: .utf8)
            let writer = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: signer))
            let built = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await writer.run() }
                    let record = AuditBenchmark.record("m")
                    for start in stride(from: 0, to: leaves, by: 1000) {
                        _ = try await writer.append(Array(repeating: record, count: min(1000, leaves - start)))
                    }
                    _ = try await writer.checkpointNow()
                    group.cancelAll()
                }
            }
            print(String(format: "built %d leaves in %.1f s", leaves, built.seconds))
        }
        let store = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: nil))
        let size = try await store.latestCheckpoint()?.size ?? 0
        let step = max(1, size / UInt64(results))
        var selected: [AuditLeaf] = []
        for index in stride(from: UInt64(0), to: size, by: Int(step)).prefix(results) {
            selected.append(try AuditLeaf(bytes: try await store.leaves(in: index ..< index + 1)[0].bytes))
        }
        print("log of \(size) leaves; proving \(selected.count) results")

        let indexes = selected.map(\.index)
        var expected: [[[UInt8]]] = []
        let before = try await clock.measure {
            var tree = MerkleTree()
            let hasher = TreeHasher()
            var next: UInt64 = 0
            while next < size {
                let hashes = try await store.leafHashes(in: next ..< min(size, next + 65_536))
                for offset in stride(from: 0, to: hashes.count, by: 32) { tree.append(leafHash: Array(hashes[offset ..< offset + 32]), using: hasher) }
                next = tree.size
            }
            expected = try indexes.map { try tree.inclusionProof(index: $0, treeSize: size, using: hasher) }
        }
        print(String(format: "before: whole tree in memory:                 %8.1f ms", before.milliseconds))
        for chunkSize in chunk {
            let index = ProofIndex(store: store, chunkSize: chunkSize)
            var proofs: [ProofIndex.Inclusion] = []
            let cold = try await clock.measure { proofs = try await index.inclusionProofs(for: indexes, treeSize: size) }
            guard proofs.map(\.proof) == expected else { throw ValidationError("the index's proofs differ from the whole tree's") }
            let warm = try await clock.measure { proofs = try await index.inclusionProofs(for: indexes, treeSize: size) }
            let one = try await clock.measure { _ = try await index.inclusionProofs(for: [indexes[indexes.count / 2]], treeSize: size) }
            let grown = ProofIndex(store: store, chunkSize: chunkSize)
            _ = try await grown.inclusionProofs(for: [0], treeSize: size - 10_000)
            let extended = try await clock.measure { _ = try await grown.inclusionProofs(for: indexes, treeSize: size) }
            let memory = Double(size / chunkSize) * 64 / 1024
            print(String(format: "chunks of %4d: cold %8.1f ms, warm %6.1f ms (one result %5.2f ms), 10,000 new leaves then warm %6.1f ms; "
                         + "chunk tree about %.0f KiB",
                         chunkSize, cold.milliseconds, warm.milliseconds, one.milliseconds, extended.milliseconds, memory))
        }
        var bytes = 0
        let export = try await clock.measure {
            _ = try await AuditExport.write(from: store, origin: origin, verifier: signer.verifier, matching: nil,
                                            index: ProofIndex(store: store), as: .jsonl) { bytes += $0.utf8.count }
        }
        print(String(format: "whole log exported a page at a time: %.1f s, %.0f MB written, %.1f µs a leaf",
                     export.seconds, Double(bytes) / 1_000_000, export.seconds * 1_000_000 / Double(max(size, 1))))
    }
}

extension Duration {
    var milliseconds: Double { seconds * 1000 }
}
