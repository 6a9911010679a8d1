import AccordAudit
import AccordStore
import ArgumentParser
import Foundation

/// Writes records with the checkpoints and proofs needed to verify them without Accord.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export verifiable audit records.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl
        case csv

        var written: AuditExport.Format { self == .csv ? .csv : .jsonl }
    }

    @OptionGroup var options: AuditOptions
    @OptionGroup var filters: QueryFilters

    @Option(help: "jsonl (verifiable with Tests/Interop/audit_verify.py) or csv (checkpoint written beside it).")
    var format: Format = .jsonl

    @Option(help: "The file to write; standard output when absent (jsonl only).")
    var output: String?

    func run() async throws {
        if format == .csv, output == nil { throw ValidationError("--format csv needs --output, to write the checkpoint beside it") }
        let store = try await options.openStore()
        let verifier = try options.verifier()
        let query = try filters.query()
        // Written a page at a time: an export of years of log never sits in memory whole.
        let file = try output.map(ExportFile.init)
        let summary: AuditExport.Summary
        do {
            summary = try await AuditExport.write(
                from: store, origin: verifier.name, verifier: verifier, matching: query == AuditQuery() ? nil : query,
                index: ProofIndex(store: store), as: format.written) { text in
                    if let file { try file.write(text) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
                }
            try file?.finish()
        } catch {
            file?.abandon()
            throw error
        }
        if format == .csv, let output {
            let sidecar = "verifier key: \(verifier.verifierKey)\n\n" + (summary.checkpoint?.note ?? "")
            try Data(sidecar.utf8).write(to: URL(fileURLWithPath: output + ".checkpoint"), options: .atomic)
        }
        FileHandle.standardError.write(Data("exported \(summary.entries) record(s) under a checkpoint of \(summary.treeSize) leaves\n".utf8))
    }
}

/// An export's file, written beside its final name and moved there only when complete, so
/// that a failed export never leaves a file that looks whole.
private final class ExportFile {
    let path: String
    let partial: String
    let handle: FileHandle

    init(_ path: String) throws {
        self.path = path
        partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil) else {
            throw ValidationError("cannot write \(partial)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
    }

    func write(_ text: String) throws { try handle.write(contentsOf: Data(text.utf8)) }

    func finish() throws {
        try handle.close()
        // rename(2) replaces an older export at the same path in one step.
        guard rename(partial, path) == 0 else { throw ValidationError("cannot move \(partial) to \(path): errno \(errno)") }
    }

    func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partial)
    }
}
