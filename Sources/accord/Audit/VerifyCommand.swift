import AccordAudit
import AccordStore
import ArgumentParser
import Foundation

/// Recomputes every leaf hash and the tree, checks every checkpoint, and names the first
/// divergence; derives every row's search columns from its leaf again and names each row that
/// disagrees. Exits 1 when the log does not verify or a row disagrees.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify the whole audit log.")

    @OptionGroup var options: AuditOptions

    func run() async throws {
        let store = try await options.openStore()
        let verifier = try options.verifier()
        let bar = ProgressBar()
        let outcome = try await store.verifyLog(origin: verifier.name, verifier: verifier, pageSize: 20_000) { checked, total in
            bar.show(checked, of: total)
        }
        bar.finish()
        switch outcome {
        case .verified(let summary):
            print("verified: \(summary.leafCount) leaves, \(summary.checkpointsVerified) checkpoints")
            print("root: \(Data(summary.root).base64EncodedString())")
            if summary.leafCount > summary.latestCheckpointSize {
                print("note: \(summary.leafCount - summary.latestCheckpointSize) leaves after the latest checkpoint (size \(summary.latestCheckpointSize)) are not yet signed")
            }
            guard summary.isClean else {
                for mismatch in summary.indexMismatches {
                    FileHandle.standardError.write(Data("INDEX MISMATCH: \(mismatch)\n".utf8))
                }
                let unlisted = summary.indexMismatchCount - summary.indexMismatches.count
                if unlisted > 0 { FileHandle.standardError.write(Data("INDEX MISMATCH: \(unlisted) more leaves\n".utf8)) }
                FileHandle.standardError.write(Data("""
                    the signed log is intact, but \(summary.indexMismatchCount) row(s) of its search index were changed: searches by \
                    those columns miss or misplace those leaves; restore the database from a backup, or treat the rows named as the evidence\n
                    """.utf8))
                throw ExitCode.failure
            }
        case .diverged(let divergence):
            FileHandle.standardError.write(Data("DIVERGENCE: \(divergence)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// A one-line progress bar on standard error when it is a terminal; silent otherwise.
final class ProgressBar: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false

    func show(_ done: UInt64, of total: UInt64) {
        guard enabled, total > 0 else { return }
        let width = 40
        let filled = Int(Double(done) / Double(total) * Double(width))
        let bar = String(repeating: "█", count: min(width, filled)) + String(repeating: "·", count: max(0, width - filled))
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) leaves".utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
