import AccordAudit
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// `AccordBenchmarks proofs`: the inclusion proofs of one console search on a large log, built
/// as before (every leaf read and the whole tree rebuilt, `AuditExport.collect`) and with a
/// `ProofIndex` (cold: its first use reads every leaf hash; warm: only the chunks touched).
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
        let size = try await store.checkpoints().map(\.size).max() ?? 0
        let step = max(1, size / UInt64(results))
        var selected: [AuditLeaf] = []
        for index in stride(from: UInt64(0), to: size, by: Int(step)).prefix(results) {
            selected.append(try AuditLeaf(bytes: try await store.leaves(in: index ..< index + 1)[0].bytes))
        }
        print("log of \(size) leaves, \(try await store.checkpoints().count) checkpoints; proving \(selected.count) results")

        var whole: AuditExport.Bundle?
        let before = try await clock.measure {
            whole = try await AuditExport.collect(from: store, origin: origin, verifier: signer.verifier, leaves: selected)
        }
        print(String(format: "before: whole tree (AuditExport.collect):      %8.1f ms", before.milliseconds))
        let expected = whole?.entries.map(\.proof) ?? []
        let indexes = selected.map(\.index)
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
            var bundle: AuditExport.Bundle?
            let export = try await clock.measure {
                bundle = try await AuditExport.collect(from: store, origin: origin, verifier: signer.verifier, leaves: selected, index: index)
            }
            guard try bundle.map(AuditExport.jsonLines) == whole.map(AuditExport.jsonLines) else {
                throw ValidationError("the index's export differs from the whole tree's")
            }
            let memory = Double(size / chunkSize) * 64 / 1024
            print(String(format: "chunks of %4d: cold %8.1f ms, warm %6.1f ms (one result %5.2f ms), 10,000 new leaves then warm %6.1f ms; "
                         + "export of the results with consistency proofs %7.1f ms; chunk tree about %.0f KiB",
                         chunkSize, cold.milliseconds, warm.milliseconds, one.milliseconds, extended.milliseconds, export.milliseconds, memory))
        }
    }
}

extension Duration {
    var milliseconds: Double { seconds * 1000 }
}
