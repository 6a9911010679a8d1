import AccordCore
import AccordAudit
import AccordStore
import ArgumentParser
import Foundation

/// Prints the inclusion proof of one leaf against the latest signed checkpoint, after
/// checking it, as JSON a third party can verify with the checkpoint and the verifier key.
struct ProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prove", abstract: "Print an inclusion proof for one leaf.")

    @OptionGroup var options: AuditOptions

    @Option(help: "The leaf index.")
    var index: UInt64

    func run() async throws {
        let store = try await options.openStore()
        let verifier = try options.verifier()
        guard let stored = try await store.leaves(in: index ..< index + 1).first else {
            throw ValidationError("no leaf \(index) in the log")
        }
        // The latest checkpoint and the few that bridge key rotations: never every checkpoint.
        guard let latest = try await store.latestCheckpoint(trusting: verifier), index < latest.checkpoint.size else {
            throw ValidationError("leaf \(index) is not yet covered by a signed checkpoint; try again after the next checkpoint")
        }
        let checkpoint = latest.checkpoint
        guard let entry = try await ProofIndex(store: store).inclusionProofs(for: [index], treeSize: checkpoint.size).first else {
            throw ValidationError("no proof for leaf \(index)")
        }
        try InclusionProof.verify(leafHash: TreeHasher().leafHash(stored.bytes), index: index, treeSize: checkpoint.size,
                                  proof: entry.proof, root: checkpoint.rootHash)
        let output: JSONValue = .object([
            "index": .integer(Int64(index)), "leaf": .string(String(decoding: stored.bytes, as: UTF8.self)),
            "leaf_hash": .string(Data(entry.leafHash).base64EncodedString()), "tree_size": .integer(Int64(checkpoint.size)),
            "proof": .array(entry.proof.map { .string(Data($0).base64EncodedString()) }),
            "checkpoint": .string(latest.stored.note), "verifier_key": .string(verifier.verifierKey),
        ])
        print(String(decoding: try CanonicalJSON.encode(output), as: UTF8.self))
    }
}
