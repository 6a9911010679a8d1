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
    }

    @OptionGroup var options: AuditOptions
    @OptionGroup var filters: QueryFilters

    @Option(help: "jsonl (verifiable with Tests/Interop/audit_verify.py) or csv (checkpoint written beside it).")
    var format: Format = .jsonl

    @Option(help: "The file to write; standard output when absent (jsonl only).")
    var output: String?

    func run() async throws {
        let store = try await options.openStore()
        let verifier = try options.verifier()
        let query = try filters.query()
        let selected = query == AuditQuery() ? nil : try await store.query(query)
        // A filtered export reads only leaf hashes for its proofs, not every leaf.
        let bundle = try await AuditExport.collect(from: store, origin: verifier.name, verifier: verifier, leaves: selected,
                                                   index: selected == nil ? nil : ProofIndex(store: store))
        switch format {
        case .jsonl:
            try write(AuditExport.jsonLines(bundle), to: output)
        case .csv:
            guard let output else { throw ValidationError("--format csv needs --output, to write the checkpoint beside it") }
            try write(AuditExport.csv(bundle), to: output)
            let sidecar = "verifier key: \(bundle.verifierKey)\n\n" + (bundle.checkpoints.last?.note ?? "")
            try write(sidecar, to: output + ".checkpoint")
        }
        FileHandle.standardError.write(Data("exported \(bundle.entries.count) record(s) under a checkpoint of \(bundle.checkpoints.last?.size ?? 0) leaves\n".utf8))
    }

    private func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
