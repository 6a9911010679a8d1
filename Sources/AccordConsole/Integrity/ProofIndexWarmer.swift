import AccordAudit
import AccordStore
import Logging
import ServiceLifecycle

/// Builds the console's proof index when the console starts, so that the first audit search
/// does not wait while every leaf hash is read, and on the way checks that the stored leaf
/// hashes lead to the root of the latest signed checkpoint: a cheap startup check that the
/// tree behind the inclusion proofs is the signed one. (`accord audit verify` and the
/// integrity page recompute the leaves themselves.)
struct ProofIndexWarmer: Service {
    enum Outcome: Equatable {
        /// No checkpoint signed yet: nothing to build or compare.
        case noCheckpoint
        case matches(treeSize: UInt64)
        /// The stored hashes do not give the signed root: the log has been altered.
        case mismatch(treeSize: UInt64)
        case failed(String)
    }

    let store: any AuditReading
    let index: ProofIndex
    let verifier: NoteVerifier
    let logger: Logger

    func warm() async -> Outcome {
        do {
            guard let latest = try await store.latestCheckpoint() else { return .noCheckpoint }
            let signed: Checkpoint
            do {
                guard let opened = try await store.latestCheckpoint(trusting: verifier), opened.stored.size == latest.size else {
                    throw AuditError(.unknownKey, "the latest checkpoint changed while it was read")
                }
                signed = opened.checkpoint
            } catch {
                return .failed("the latest checkpoint's signature does not verify: \(error)")
            }
            let root = try await index.root(treeSize: signed.size)
            return root == signed.rootHash ? .matches(treeSize: signed.size) : .mismatch(treeSize: signed.size)
        } catch {
            return .failed("\(error)")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        switch await warm() {
        case .noCheckpoint:
            break
        case .matches(let size):
            logger.info("proof index ready; stored leaf hashes match the latest checkpoint",
                        metadata: ["tree_size": "\(size)", "elapsed": "\(ContinuousClock.now - started)"])
        case .mismatch(let size):
            logger.critical("the stored leaf hashes do NOT lead to the latest signed checkpoint's root; run `accord audit verify`",
                            metadata: ["tree_size": "\(size)"])
        case .failed(let reason):
            logger.error("the proof index could not be built at start; searches will build it", metadata: ["reason": "\(reason)"])
        }
        try? await gracefulShutdown()
    }
}
